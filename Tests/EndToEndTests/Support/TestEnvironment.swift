import Foundation

/// Where the test script's throwaway PostgreSQL and Redis live, and the built executables.
enum TestEnvironment {
    /// `postgresql://postgres@127.0.0.1:PORT` (no database), from `AGENTIM_TEST_PG`.
    static var postgres: String? { ProcessInfo.processInfo.environment["AGENTIM_TEST_PG"] }
    /// `redis://127.0.0.1:PORT`, from `AGENTIM_TEST_REDIS`.
    static var redis: String? { ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"] }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binDir: URL {
        if let dir = ProcessInfo.processInfo.environment["AGENTIM_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    /// Creates a fresh database and returns its URL.
    static func freshDatabase() throws -> String {
        guard let base = postgres else { throw TestSetupError("AGENTIM_TEST_PG is not set: run the tests through deploy/local/test.sh") }
        let name = "e2e_\(UUID().uuidString.prefix(8).lowercased())"
        let status = try run("/usr/bin/psql", ["\(base)/postgres", "-qc", "CREATE DATABASE \(name)"])
        guard status == 0 else { throw TestSetupError("cannot create database \(name)") }
        return "\(base)/\(name)"
    }

    /// Runs `sql` against `database` (a URL from `freshDatabase`) and returns psql's
    /// unaligned, tuples-only output, trimmed: lets a test read or shape rows directly.
    @discardableResult
    static func psql(_ database: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [database, "-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("psql failed: \(sql)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
