import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The distributed topology for the uploads tests: auth, rooms and router once, several
/// agentim-uploads replicas sharing one storage, and one edge in front of each replica (an
/// edge names a single uploads URL; in production a load balancer spreads it).
final class UploadsTopology: @unchecked Sendable {
    let database: String
    let common: [String: String]
    private(set) var services: [String: HubProcess] = [:]
    private(set) var uploads: [HubProcess] = []
    private(set) var edges: [HubProcess] = []

    /// `storage` is the uploads replicas' own environment (STORAGE_PROVIDER, S3_*, UPLOAD_DIR…).
    init(replicas: Int, storage: [String: String]) async throws {
        let redis = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        database = try TestEnvironment.freshDatabase()
        common = ["DATABASE_URL": database, "REDIS_URL": redis, "JWT_SECRET": DistributedHub.secret,
                  "ADMIN_PASSWORD": ChatScenario.adminPassword, "NODE_ENV": "test"]
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        for name in ["auth", "rooms", "router"] {
            services[name] = try HubProcess("agentim-\(name)", environment: common.merging(["UPLOAD_DIR": upload]) { $1 })
        }
        for process in services.values { try await process.waitUntilHealthy(path: "/internal/health") }
        var env = common.merging(storage) { $1 }
        env["AUTH_URL"] = services["auth"]!.baseURL
        for _ in 0..<replicas {
            let replica = try HubProcess("agentim-uploads", environment: env)
            try await replica.waitUntilHealthy(path: "/internal/health")
            uploads.append(replica)
        }
        for replica in uploads {
            var edgeEnv = common
            edgeEnv["DATABASE_URL"] = nil
            for (name, process) in services { edgeEnv["\(name.uppercased())_URL"] = process.baseURL }
            edgeEnv["UPLOADS_URL"] = replica.baseURL
            let edge = try HubProcess("agentim-edge", environment: edgeEnv)
            try await edge.waitUntilHealthy(path: "/api/health")
            edges.append(edge)
        }
    }

    func stop() {
        edges.forEach { $0.stop() }
        uploads.forEach { $0.stop() }
        services.values.forEach { $0.stop() }
    }
}

/// moto's standalone S3 server on a free loopback port, with one bucket.
final class S3Server: @unchecked Sendable {
    let port = TestEnvironment.freePort()
    let bucket = "agentim-test"
    let process = Process()

    init() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // `moto_server` on PATH (deploy/local/test.sh installs it), else the module itself.
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/moto_server") }
        process.arguments = (onPath ? ["moto_server"] : ["python3", "-m", "moto.server"]) + ["-H", "127.0.0.1", "-p", String(port)]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestSetupError("moto_server exited: install it with pip install 'moto[server]'") }
            if let reply = try? await HTTP.send("PUT", endpoint + "/" + bucket, body: nil, token: nil), reply.status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSetupError("moto_server did not answer on \(port)")
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The uploads replicas' environment for this bucket.
    var environment: [String: String] {
        ["STORAGE_PROVIDER": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT": endpoint, "S3_REGION": "us-east-1",
         "S3_ACCESS_KEY_ID": "AKIDTEST", "S3_SECRET_ACCESS_KEY": "test-secret-key"]
    }

    /// Keys in the bucket under `prefix`, read directly (moto does not ask for a signature).
    func keys(prefix: String = "") async throws -> [String] {
        let download = try await UploadRequests.download(endpoint + "/\(bucket)?list-type=2&prefix=\(prefix)")
        let xml = String(decoding: download.bytes, as: UTF8.self)
        return xml.components(separatedBy: "<Key>").dropFirst().compactMap { $0.components(separatedBy: "</Key>").first }
    }

    /// Stores an object directly, as another writer of the bucket would.
    func put(_ key: String, _ bytes: [UInt8], type: String) async throws -> Int {
        var request = HTTPClientRequest(url: endpoint + "/\(bucket)/\(key)")
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: type)
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    /// SIGKILL: the werkzeug server behind moto_server does not always stop on SIGTERM.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
