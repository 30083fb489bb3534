import RouterService
import Testing

/// The SSRF classification of data-config-security §3.8, spelled every way a URL can spell a host.
struct URLSafetyTests {
    @Test(arguments: [
        "http://localhost:8080/v1", "http://LOCALHOST/v1", "http://localhost./v1", "http://127.0.0.1/v1", "http://127.1.2.3/v1",
        "http://0.0.0.0/v1", "http://169.254.169.254/latest", "http://10.0.0.5/v1", "http://172.16.0.1/v1", "http://172.31.255.255/",
        "http://192.168.1.1/", "http://100.64.0.1/", "http://100.127.255.255/", "http://224.0.0.1/", "http://239.255.255.250/",
        "http://240.0.0.1/", "http://255.255.255.255/", "http://0.1.2.3/",
        // Numeric spellings a URL parser turns into loopback.
        "http://2130706433/", "http://0x7f000001/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://127.1/", "http://017700000001/",
        "http://%31%32%37.0.0.1/",
        // IPv6.
        "http://[::1]/", "http://[::]/", "http://[0:0:0:0:0:0:0:1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1%25eth0]/",
        "http://[febf::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:10.1.2.3]/",
        "http://[::ffff:a9fe:a9fe]/", "http://[64:ff9b::192.168.0.1]/",
        // Names.
        "http://printer.local/", "http://metadata.google.internal/", "http://0x10.example.com/", "http://0177.example.com/",
        // Credentials do not hide the host; other schemes are refused.
        "http://user:pass@127.0.0.1/", "ftp://example.com/", "file:///etc/passwd", "not a url", "http:///nohost",
    ])
    func refused(_ url: String) {
        #expect(URLSafety.isInternal(url), "\(url) must be refused")
    }

    @Test(arguments: [
        "https://api.openai.com/v1", "http://8.8.8.8/v1", "http://172.32.0.1/", "http://100.128.0.1/", "http://192.169.0.1/",
        "https://[2001:4860:4860::8888]/v1", "http://[::ffff:8.8.8.8]/", "https://example.com:8443/v1", "http://1.1.1.1.nip.example/",
    ])
    func allowed(_ url: String) {
        #expect(!URLSafety.isInternal(url), "\(url) must be allowed")
    }

    @Test func onlyNamesAreResolved() {
        #expect(URLSafety.hostNameToResolve("https://api.openai.com/v1") == "api.openai.com")
        #expect(URLSafety.hostNameToResolve("http://8.8.8.8/") == nil)
        #expect(URLSafety.hostNameToResolve("http://[2001:db8::1]/") == nil)
    }

    @Test func resolvedAddresses() {
        #expect(URLSafety.isPrivate(address: "127.0.0.1"))
        #expect(URLSafety.isPrivate(address: "::1"))
        #expect(URLSafety.isPrivate(address: "fe80::1%eth0"))
        #expect(URLSafety.isPrivate(address: "::ffff:192.168.0.1"))
        #expect(!URLSafety.isPrivate(address: "93.184.216.34"))
        #expect(!URLSafety.isPrivate(address: "2606:2800:220:1:248:1893:25c8:1946"))
    }

    @Test func aNameResolvingToLoopbackIsRefused() async {
        #expect(await HostResolver.check("localhost") != .publicOnly)
        #expect(await HostResolver.check("name-that-does-not-exist.invalid") == .publicOnly)
    }
}
