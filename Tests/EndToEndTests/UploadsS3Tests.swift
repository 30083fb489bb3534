import AgentIMCore
import Foundation
import Testing

/// The S3 backend against a real S3-speaking server that verifies SigV4 signatures (moto with
/// IAM authentication on), with two agentim-uploads processes sharing the bucket, each behind its
/// own edge; and a hub whose secret key is wrong.
@Suite(.serialized) struct UploadsS3Tests {
    @Test func twoReplicasShareOneBucket() async throws {
        let s3 = try await S3Server()
        defer { s3.stop() }
        // The server really checks signatures: an unsigned read is refused (moto answers 403, or
        // 500 when its auth layer trips over the missing header); a wrong secret is the next test.
        #expect(try await UploadRequests.download(s3.endpoint + "/\(s3.bucket)?list-type=2").status != 200)
        var storage = s3.environment()
        storage["ORPHAN_FILE_CHECK_INTERVAL"] = "1000"
        let topology = try await UploadsTopology(replicas: 2, storage: storage)
        defer { topology.stop() }
        let edgeA = topology.edges[0].baseURL, edgeB = topology.edges[1].baseURL
        let token = try await ChatScenario.login(edgeA, "admin", ChatScenario.adminPassword)

        // Every type goes in through one replica and comes back through the other.
        var keys: [String: (type: String, bytes: [UInt8])] = [:]
        for sample in try UploadSamples.all() {
            let reply = try await UploadRequests.post(edgeA, body: UploadRequests.file(sample.bytes, type: sample.type), token: token)
            #expect(reply.status == 200, "\(sample.type): \(reply.body)")
            let url = try #require(reply.data?["url"]?.stringValue)
            keys[url] = (sample.type, sample.bytes)
            let back = try await UploadRequests.download(edgeB + url + "?token=\(token)")
            #expect(back.status == 200 && back.bytes == sample.bytes, "\(sample.type)")
            #expect(back.header("Content-Type") == sample.type)
            #expect(back.header("Content-Disposition") == (sample.type.hasPrefix("image/") ? nil : "attachment"))
        }
        #expect(try await s3.keys().count == 12)

        // A larger file: streamed, ranged and revalidated through the second replica.
        let big = UploadRequests.noise(3 << 20, prefix: UploadSamples.png)
        let reply = try await UploadRequests.postStreamed(edgeA, body: UploadRequests.file(big, type: "image/png"), token: token)
        let url = try #require(reply.data?["url"]?.stringValue)
        let whole = try await UploadRequests.download(edgeB + url, token: token)
        #expect(UploadRequests.sha256(whole.bytes) == UploadRequests.sha256(big))
        let part = try await UploadRequests.download(edgeB + url, token: token, headers: ["Range": "bytes=1000-1999"])
        #expect(part.status == 206 && part.bytes == Array(big[1000...1999]))
        #expect(part.header("Content-Range") == "bytes 1000-1999/\(big.count)")
        let etag = try #require(whole.header("ETag"))
        #expect(try await UploadRequests.download(edgeB + url, token: token, headers: ["If-None-Match": etag]).status == 304)

        // Refusals leave nothing in the bucket.
        let refused = try await UploadRequests.post(edgeA, body: UploadRequests.file(Array("no".utf8), type: "image/png"), token: token)
        #expect(refused.status == 400 && refused.error == "File content does not match declared type")
        #expect(try await s3.keys().count == 13)

        // A missing object is a JSON 404; a nested key (service-agent media) is served.
        let missing = try await UploadRequests.download(edgeB + "/uploads/absent.png", token: token)
        #expect(missing.status == 404 && missing.json?["error"]?.stringValue == "File not found")
        #expect(try await s3.put("service-agents/pic.png", UploadSamples.png, type: "image/png") == 200)
        let nested = try await UploadRequests.download(edgeB + "/uploads/service-agents/pic.png", token: token)
        #expect(nested.status == 200 && nested.bytes == UploadSamples.png && nested.header("Content-Type") == "image/png")

        // Avatars: the newest replaces the older one in the bucket.
        let me = try await HTTP.get(edgeA + "/api/users/me", token: token)
        let adminId = try #require(me.data?["id"]?.stringValue)
        let first = try await UploadRequests.post(edgeA, "/api/upload/avatar", body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: token)
        #expect(first.status == 200, "\(first.body)")
        let second = try await UploadRequests.post(edgeB, "/api/upload/avatar", body: UploadRequests.file(UploadSamples.jpeg, type: "image/jpeg"), token: token)
        let avatar = try #require(second.data?["avatarUrl"]?.stringValue)
        #expect(try await s3.keys(prefix: "avatar_\(adminId)") == [String(avatar.dropFirst("/uploads/".count))])
        #expect(try await HTTP.get(edgeB + "/api/users/me", token: token).data?["avatarUrl"]?.stringValue == avatar)

        // The orphan sweep removes an hour-old unlinked upload from the bucket.
        let orphanKey = String(url.dropFirst("/uploads/".count))
        try TestEnvironment.psql(topology.database, "UPDATE message_attachments SET created_at = now() - interval '2 hours' WHERE url = '\(url)'")
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, try await s3.keys().contains(orphanKey) { try await Task.sleep(for: .milliseconds(250)) }
        #expect(try await !s3.keys().contains(orphanKey))
        #expect(try TestEnvironment.psql(topology.database, "SELECT count(*) FROM message_attachments WHERE url = '\(url)'") == "0")
    }

    /// A wrong secret key: health asks the bucket and says `filesystem: false` (503), and reads and
    /// writes fail as server errors (500 with a logged "forbidden"), never as "File not found";
    /// the object stays in the bucket.
    @Test func wrongSecretKeyIsUnhealthyAndNeverNotFound() async throws {
        let s3 = try await S3Server()
        defer { s3.stop() }
        #expect(try await s3.put("kept.png", UploadSamples.png, type: "image/png") == 200)
        let hub = try HubProcess("agentim-server", environment: [
            "DATABASE_URL": try TestEnvironment.freshDatabase(), "ADMIN_PASSWORD": ChatScenario.adminPassword,
            "JWT_SECRET": SingleProcessHubTests.secret, "REDIS_URL": "", "NODE_ENV": "test",
        ].merging(s3.environment(secret: "not-the-secret-key")) { $1 })
        defer { hub.stop() }
        try await hub.waitUntilHealthy(path: "/api/health", status: 503)
        let health = try await HTTP.get(hub.baseURL + "/api/health")
        #expect(health["ok"] == .bool(false))
        #expect(health["checks"] == .object(["database": .bool(true), "filesystem": .bool(false)]))

        let token = try await ChatScenario.login(hub.baseURL, "admin", ChatScenario.adminPassword)
        let upload = try await UploadRequests.post(hub.baseURL, body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: token)
        #expect(upload.status == 500, "\(upload.body)")
        let kept = try await UploadRequests.download(hub.baseURL + "/uploads/kept.png", token: token)
        #expect(kept.status == 500 && kept.json?["ok"] == .bool(false), "\(kept.status)")
        #expect(kept.json?["error"]?.stringValue != "File not found")
        #expect(kept.json?["errorId"]?.stringValue?.isEmpty == false)
        #expect(hub.log.contains("forbidden"))
        #expect(try await s3.keys() == ["kept.png"])
    }
}
