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

/// moto's standalone S3 server on a free loopback port, with one bucket, verifying SigV4:
/// `INITIAL_NO_AUTH_ACTION_COUNT=3` lets three unsigned IAM calls create a user, its policy and
/// its access key; every later request must be signed by a known key with the right secret
/// (a wrong secret gets 403). The test's own reads and writes go through boto3 (moto's dependency).
final class S3Server: @unchecked Sendable {
    let port = TestEnvironment.freePort()
    let bucket = "agentim-test"
    let process = Process()
    private(set) var accessKeyId = ""
    private(set) var secretAccessKey = ""

    init() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // `moto_server` on PATH (deploy/local/test.sh installs it), else the module itself.
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/moto_server") }
        process.arguments = (onPath ? ["moto_server"] : ["python3", "-m", "moto.server"]) + ["-H", "127.0.0.1", "-p", String(port)]
        var env = ProcessInfo.processInfo.environment
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
        process.environment = env
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestSetupError("moto_server exited: install it with pip install 'moto[server]'") }
            if Self.accepts(port: port) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let credentials = try boto("setup").split(separator: " ").map(String.init)
        guard credentials.count == 2 else { throw TestSetupError("moto setup failed: \(credentials)") }
        accessKeyId = credentials[0]
        secretAccessKey = credentials[1]
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The uploads replicas' environment for this bucket (`secret` replaces the right one).
    func environment(secret: String? = nil) -> [String: String] {
        ["STORAGE_PROVIDER": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT": endpoint, "S3_REGION": "us-east-1",
         "S3_ACCESS_KEY_ID": accessKeyId, "S3_SECRET_ACCESS_KEY": secret ?? secretAccessKey]
    }

    /// Keys in the bucket under `prefix`, read with the right credentials.
    func keys(prefix: String = "") async throws -> [String] {
        try boto("keys", prefix).split(separator: "\n").map(String.init)
    }

    /// Stores an object with the right credentials, as another writer of the bucket would.
    func put(_ key: String, _ bytes: [UInt8], type: String) async throws -> Int {
        Int(try boto("put", key, type, input: Data(bytes))) ?? 0
    }

    static let script = """
    import sys, time, json, boto3, botocore.exceptions as bx
    ep, bucket, mode, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    def client(kind, key, secret):
        return boto3.client(kind, endpoint_url=ep, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
    if mode == "setup":
        iam = client("iam", "bootstrap", "bootstrap")
        iam.create_user(UserName="agentim")
        iam.put_user_policy(UserName="agentim", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="agentim")["AccessKey"]
        client("s3", key["AccessKeyId"], key["SecretAccessKey"]).create_bucket(Bucket=bucket)
        print(key["AccessKeyId"], key["SecretAccessKey"])
        sys.exit(0)
    s3 = client("s3", args[0], args[1])
    if mode == "keys":
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=args[2]):
            for item in page.get("Contents", []): print(item["Key"])
    elif mode == "put":
        reply = s3.put_object(Bucket=bucket, Key=args[2], ContentType=args[3], Body=sys.stdin.buffer.read())
        print(reply["ResponseMetadata"]["HTTPStatusCode"])
    """

    /// Runs `script` in `mode` (with the right credentials unless setting up) and returns its output.
    private func boto(_ mode: String, _ arguments: String..., input: Data = Data()) throws -> String {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let credentials = mode == "setup" ? [] : [accessKeyId, secretAccessKey]
        python.arguments = ["python3", "-c", Self.script, endpoint, bucket, mode] + credentials + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        python.standardInput = stdin
        python.standardOutput = stdout
        python.standardError = stderr
        try python.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        guard python.terminationStatus == 0 else {
            throw TestSetupError("boto3 \(mode) failed: \(String(decoding: errors, as: UTF8.self).suffix(800))")
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether something listens on the loopback `port` (a bare connect: any HTTP request would
    /// use up one of the three unsigned calls).
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
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
