import AsyncHTTPClient
import AuthService
import Foundation
import NIOCore

// Login throughput against the argon2id cost: the number that sizes an auth deployment.
//
//   agentim-auth-bench argon2 [seconds]                  verifications/s per cost, 1 thread and all cores
//   agentim-auth-bench http <base-url> <user> <password> [concurrency] [seconds]
//                                                       logins/s through a running hub
//
// A login is one argon2id verification plus a few milliseconds of SQL and JWT work, so the
// first mode predicts the second; `services/auth/bench/login-throughput.sh` runs both.

let arguments = Array(CommandLine.arguments.dropFirst())
let cores = ProcessInfo.processInfo.activeProcessorCount

/// `busyCores`: how many cores the work can keep busy (argon2 runs `p` lanes in threads of its own).
func report(_ label: String, count: Int, seconds: Double, threads: Int, busyCores: Int) {
    let rate = Double(count) / seconds
    let used = max(1, min(busyCores, cores))
    print(String(format: "%-34@ %3d caller(s) on %d core(s)  %8.2f /s  %7.2f /s per core  %7.1f ms each",
                 label as NSString, threads, used, rate, rate / Double(used), 1000 * seconds * Double(threads) / Double(max(count, 1))))
}

/// Runs `work` on `threads` OS threads for `seconds`; returns how many runs finished.
func hammer(threads: Int, seconds: Double, _ work: @escaping @Sendable () -> Void) -> Int {
    let deadline = Date().addingTimeInterval(seconds)
    let counter = Counter()
    let group = DispatchGroup()
    for _ in 0..<threads {
        group.enter()
        Thread.detachNewThread {
            while Date() < deadline {
                work()
                counter.add()
            }
            group.leave()
        }
    }
    group.wait()
    return counter.value
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

func argon2(seconds: Double) throws {
    print("argon2id verification on \(cores) core(s); the hub's cost is \(Argon2Cost.standard)")
    let costs = [
        Argon2Cost(timeCost: 2, memoryKiB: 19_456, parallelism: 1),  // OWASP's minimum for argon2id
        Argon2Cost(timeCost: 3, memoryKiB: 65_536, parallelism: 1),
        Argon2Cost(timeCost: 2, memoryKiB: 65_536, parallelism: 4),
        Argon2Cost.standard,
        Argon2Cost(timeCost: 4, memoryKiB: 131_072, parallelism: 4),
    ]
    for cost in costs {
        let hash = try PasswordHasher.hashBlocking("Bench-Password-123", cost: cost)
        for threads in Set([1, cores]).sorted() {
            let started = Date()
            let count = hammer(threads: threads, seconds: seconds) { _ = PasswordHasher.verifyBlocking("Bench-Password-123", hash) }
            report(cost.description, count: count, seconds: Date().timeIntervalSince(started), threads: threads,
                   busyCores: threads * Int(cost.parallelism))
        }
    }
}

func http(base: String, username: String, password: String, concurrency: Int, seconds: Double) async throws {
    let body = try JSONSerialization.data(withJSONObject: ["username": username, "password": password])
    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = Date()
    let (ok, failed) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var ok = 0, failed = 0
                while ContinuousClock.now < deadline {
                    var request = HTTPClientRequest(url: base + "/api/auth/login")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    if response.status == .ok { ok += 1 } else { failed += 1 }
                }
                return (ok, failed)
            }
        }
        return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
    report("HTTP logins", count: ok, seconds: Date().timeIntervalSince(started), threads: concurrency, busyCores: cores)
    if failed > 0 { print("  \(failed) login(s) failed") }
}

do {
    switch arguments.first {
    case "argon2":
        try argon2(seconds: arguments.count > 1 ? Double(arguments[1]) ?? 3 : 3)
    case "http" where arguments.count >= 4:
        try await http(base: arguments[1], username: arguments[2], password: arguments[3],
                       concurrency: arguments.count > 4 ? Int(arguments[4]) ?? cores * 2 : cores * 2,
                       seconds: arguments.count > 5 ? Double(arguments[5]) ?? 10 : 10)
    default:
        print("usage: agentim-auth-bench argon2 [seconds] | http <base-url> <user> <password> [concurrency] [seconds]")
        exit(2)
    }
} catch {
    print("agentim-auth-bench: \(error)")
    exit(1)
}
