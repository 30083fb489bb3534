// Which functions an idle `agentim gateway` runs, for cli/agentim.order (bench/cli-order-file.py).
// An LD_PRELOAD library: when the process is $BPT_EXE run as `gateway`, it puts an int3 at the entry
// of every function listed in $BPT_SYMS (hex offsets in the executable), records each function's
// first call (the trap handler puts the original byte back and resumes), and after $BPT_AFTER
// seconds writes the offsets in first-call order to $BPT_OUT. A measuring tool, never shipped.
#define _GNU_SOURCE
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <pthread.h>
#include <stdatomic.h>

static unsigned long *offs; static unsigned char *orig; static atomic_int *hit; static long n;
static unsigned long base; static atomic_long order_n; static long *order;
static int find_base(struct dl_phdr_info *info, size_t size, void *data) { base = info->dlpi_addr; return 1; }
static long lookup(unsigned long off) { long lo = 0, hi = n - 1; while (lo <= hi) { long m = (lo + hi) / 2; if (offs[m] == off) return m; if (offs[m] < off) lo = m + 1; else hi = m - 1; } return -1; }
static void on_trap(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx; unsigned long rip = uc->uc_mcontext.gregs[REG_RIP] - 1;
  long i = lookup(rip - base);
  if (i < 0) { signal(SIGTRAP, SIG_DFL); return; }
  int expected = 0;
  if (atomic_compare_exchange_strong(&hit[i], &expected, 1)) { long k = atomic_fetch_add(&order_n, 1); order[k] = i; }
  *(volatile unsigned char *)rip = orig[i];
  uc->uc_mcontext.gregs[REG_RIP] = rip;
}
static void *dumper(void *arg) {
  sleep(atoi(getenv("BPT_AFTER") ? getenv("BPT_AFTER") : "10"));
  FILE *f = fopen(getenv("BPT_OUT"), "w"); long k = atomic_load(&order_n);
  for (long j = 0; j < k; j++) fprintf(f, "%lx\n", offs[order[j]]);
  fclose(f); return 0;
}
__attribute__((constructor)) static void setup(void) {
  const char *path = getenv("BPT_SYMS"); if (!path) return;
  char exe[4096]; ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1); if (len <= 0) return; exe[len] = 0;
  const char *want = getenv("BPT_EXE"); if (!want || strcmp(exe, want) != 0) return;
  static char argv1[64]; FILE *cmd = fopen("/proc/self/cmdline", "r"); size_t got = fread(argv1, 1, sizeof argv1 - 1, cmd); fclose(cmd);
  argv1[got] = 0; const char *arg = argv1 + strlen(argv1) + 1; if (arg >= argv1 + got || strcmp(arg, "gateway") != 0) return;
  unsetenv("LD_PRELOAD");  // children (the agent) are not traced
  dl_iterate_phdr(find_base, 0);
  FILE *f = fopen(path, "r"); long cap = 1 << 20; offs = malloc(cap * sizeof *offs); unsigned long v;
  while (fscanf(f, "%lx", &v) == 1) offs[n++] = v;
  fclose(f);
  orig = malloc(n); hit = calloc(n, sizeof *hit); order = malloc(n * sizeof *order);
  unsigned long lo = base + offs[0], hi = base + offs[n - 1] + 16; long page = 4096;
  lo &= ~(page - 1); hi = (hi + page - 1) & ~(page - 1);
  if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE | PROT_EXEC)) { perror("mprotect"); return; }
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = on_trap; sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGTRAP, &sa, 0);
  for (long i = 0; i < n; i++) { unsigned char *p = (unsigned char *)(base + offs[i]); orig[i] = *p; *p = 0xCC; }
  pthread_t t; pthread_create(&t, 0, dumper, 0); pthread_detach(t);
}
