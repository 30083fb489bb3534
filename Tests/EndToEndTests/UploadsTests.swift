import AgentIMCore
import Foundation
import Testing

/// http-api §11 and data-config-security §3.11 against a real single-process hub: every
/// accepted type, every refusal (which changes nothing), downloads with their headers,
/// Range and ETag, linking to messages, the orphan sweep, and an aborted upload.
@Suite(.serialized) struct UploadsTests {
    /// A hub whose upload directory the test can inspect.
    static func hub(extra: [String: String] = [:]) async throws -> (Fixture, HubProcess, database: String, uploadDir: String) {
        let database = try TestEnvironment.freshDatabase()
        let uploadDir = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-up-\(UUID().uuidString)").path
        var env = ["DATABASE_URL": database, "UPLOAD_DIR": uploadDir]
        for (key, value) in extra { env[key] = value }
        let (fixture, process) = try await Fixture.singleProcess(extra: env)
        return (fixture, process, database, uploadDir)
    }

    /// Stored files, spool leftovers included (a rejected upload must leave neither).
    static func files(in directory: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return all.filter { !$0.hasSuffix(".incoming") && !$0.isEmpty }.sorted()
    }

    @Test func everyAcceptedTypeIsStoredAndServedBack() async throws {
        let (hub, process, database, uploadDir) = try await Self.hub()
        defer { process.stop() }
        for sample in try UploadSamples.all() {
            let reply = try await UploadRequests.post(hub.base, body: UploadRequests.file(sample.bytes, type: sample.type, filename: "orig name\(sample.ext)"),
                                                      token: hub.adminToken)
            #expect(reply.status == 200, "\(sample.type): \(reply.body)")
            let data = try #require(reply.data)
            let url = try #require(data["url"]?.stringValue)
            let id = try #require(data["id"]?.stringValue)
            #expect(data["filename"]?.stringValue == "orig name\(sample.ext)")
            #expect(data["mimeType"]?.stringValue == sample.type)
            #expect(data["size"]?.numberValue == Double(sample.bytes.count))
            #expect(url == "/uploads/\(id)\(sample.ext)")
            #expect(id.count == 21 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "\(id)")
            #expect(try TestEnvironment.psql(database, "SELECT message_id IS NULL, uploaded_by = '\(hub.adminId)', size FROM message_attachments WHERE id = '\(id)'")
                    == "t|t|\(sample.bytes.count)")

            let file = try await UploadRequests.download(hub.base + url, token: hub.adminToken)
            #expect(file.status == 200)
            #expect(file.bytes == sample.bytes, "\(sample.type) round trip")
            #expect(file.header("Content-Type")?.hasPrefix(sample.type == "application/x-zip-compressed" ? "application/zip" : sample.type) == true)
            #expect(file.header("X-Content-Type-Options") == "nosniff")
            #expect(file.header("Referrer-Policy") == "no-referrer")
            #expect(file.header("Content-Security-Policy") == "default-src 'none'; style-src 'unsafe-inline'; sandbox")
            #expect(file.header("Content-Disposition") == (sample.type.hasPrefix("image/") ? nil : "attachment"), "\(sample.type)")
        }
        #expect(Self.files(in: uploadDir).count == 12)
    }

    @Test func refusedUploadsGetTheSpecsErrorsAndLeaveNothing() async throws {
        let (hub, process, database, uploadDir) = try await Self.hub(extra: ["MAX_FILE_SIZE": "1048576"])
        defer { process.stop() }
        let token = hub.adminToken
        func expectRefusal(_ body: [UInt8], _ status: Int, _ error: String, contentType: String? = nil,
                           path: String = "/api/upload", sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let reply = contentType.map { type in { try await UploadRequests.post(hub.base, path, body: body, token: token, contentType: type) } }
                ?? { try await UploadRequests.post(hub.base, path, body: body, token: token) }
            let answer = try await reply()
            #expect(answer.status == status, "\(answer.body)", sourceLocation: sourceLocation)
            #expect(answer.error == error, sourceLocation: sourceLocation)
        }
        let text = Array("not an image".utf8)
        try await expectRefusal(UploadRequests.file(text, type: "image/png"), 400, "File content does not match declared type")
        try await expectRefusal(UploadRequests.file(UploadSamples.jpeg, type: "image/gif"), 400, "File content does not match declared type")
        try await expectRefusal(UploadRequests.file([0x61, 0x00, 0x62], type: "text/plain"), 400, "File content does not match declared type")
        try await expectRefusal(UploadRequests.file([0xC3, 0x28], type: "application/json"), 400, "File content does not match declared type")
        try await expectRefusal(UploadRequests.file([], type: "image/png"), 400, "File content does not match declared type")
        try await expectRefusal(UploadRequests.file(Array(#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.utf8), type: "image/svg+xml"),
                                400, #"File type "image/svg+xml" is not allowed"#)
        try await expectRefusal(UploadRequests.file(Array("<html>".utf8), type: "text/html"), 400, #"File type "text/html" is not allowed"#)
        try await expectRefusal(UploadRequests.file(UploadRequests.noise(1_200_000, prefix: UploadSamples.png), type: "image/png"),
                                400, "File too large. Maximum size is 1MB")
        // Over the limit and of a refused type: the size is reported first, as the original did.
        try await expectRefusal(UploadRequests.file(UploadRequests.noise(1_200_000), type: "image/svg+xml"), 400, "File too large. Maximum size is 1MB")
        try await expectRefusal([], 400, "No file provided")
        try await expectRefusal(Array(#"{"file":"x"}"#.utf8), 400, "No file provided", contentType: "application/json")
        try await expectRefusal(UploadRequests.body([(name: "other", filename: "a.png", type: "image/png", bytes: UploadSamples.png)]), 400, "No file provided")
        try await expectRefusal(UploadRequests.body([(name: "file", filename: nil, type: nil, bytes: Array("text".utf8))]), 400, "No file provided")
        try await expectRefusal(Array("--\(UploadRequests.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\ncut off".utf8),
                                400, "No file provided")
        // Avatar rules.
        try await expectRefusal(UploadRequests.file(UploadSamples.pdf, type: "application/pdf"), 400, "Only JPEG, PNG, GIF and WebP images are allowed", path: "/api/upload/avatar")
        try await expectRefusal(UploadRequests.file(UploadRequests.noise(2_200_000, prefix: UploadSamples.png), type: "image/png"), 400,
                                "Avatar too large. Maximum size is 2MB", path: "/api/upload/avatar")
        try await expectRefusal(UploadRequests.file(text, type: "image/webp"), 400, "File content does not match declared type", path: "/api/upload/avatar")
        // Over the 12 MiB body cap: 413 from the edge's limit, answered before the body is read
        // (a client still sending may see the connection close instead, so ask on a raw socket).
        let huge = try RawHTTP.exchange(port: process.port, request: "POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n" +
            "Content-Type: multipart/form-data; boundary=\(UploadRequests.boundary)\r\nContent-Length: \(13 << 20)\r\n\r\n--", timeout: 5)
        #expect(huge.hasPrefix("HTTP/1.1 413"), "\(huge.prefix(200))")
        // Without a token.
        let anonymous = try await UploadRequests.post(hub.base, body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: nil)
        #expect(anonymous.status == 401 && anonymous.error == "Unauthorized")

        #expect(try TestEnvironment.psql(database, "SELECT count(*) FROM message_attachments") == "0")
        #expect(Self.files(in: uploadDir) == [], "\(Self.files(in: uploadDir))")

        // A client-side path in the file name is dropped; the stored name is the server's own.
        let sneaky = try await UploadRequests.post(hub.base, body: UploadRequests.file(Array("x".utf8), type: "text/plain", filename: "../../../etc/evil.txt"), token: token)
        #expect(sneaky.status == 200)
        #expect(sneaky.data?["filename"]?.stringValue == "evil.txt")
        let stored = try #require(sneaky.data?["url"]?.stringValue).dropFirst("/uploads/".count)
        #expect(Self.files(in: uploadDir) == [String(stored)])
    }

    @Test func downloadsNeedAValidTokenAndHonourRangesAndETags() async throws {
        let (hub, process, _, _) = try await Self.hub()
        defer { process.stop() }
        let carol = try await hub.user("carol")
        let bytes = UploadRequests.noise(300_000, prefix: UploadSamples.png)
        let uploaded = try await UploadRequests.post(hub.base, body: UploadRequests.file(bytes, type: "image/png"), token: carol.token)
        let url = hub.base + (try #require(uploaded.data?["url"]?.stringValue))

        // Any signed-in user reads any file, by header or by ?token=.
        let byHeader = try await UploadRequests.download(url, token: hub.adminToken)
        #expect(byHeader.status == 200 && byHeader.bytes == bytes)
        #expect(byHeader.header("Content-Type") == "image/png" && byHeader.header("Content-Disposition") == nil)
        let byQuery = try await UploadRequests.download(url + "?token=\(carol.token)")
        #expect(byQuery.status == 200 && byQuery.bytes == bytes)

        let none = try await UploadRequests.download(url)
        #expect(none.status == 401 && none.json?["error"]?.stringValue == "Unauthorized")
        let garbage = try await UploadRequests.download(url + "?token=not.a.token")
        #expect(garbage.status == 401 && garbage.json?["error"]?.stringValue == "Invalid or expired token")
        let login = try await HTTP.post(hub.base + "/api/auth/login", json: #"{"username":"carol","password":"Passw0rdXY"}"#)
        let refresh = try #require(login.data?["refreshToken"]?.stringValue)
        let wrongType = try await UploadRequests.download(url + "?token=\(refresh)")
        #expect(wrongType.status == 401 && wrongType.json?["error"]?.stringValue == "Invalid token type")

        // Range and conditional requests.
        let part = try await UploadRequests.download(url, token: carol.token, headers: ["Range": "bytes=100-1099"])
        #expect(part.status == 206 && part.bytes == Array(bytes[100...1099]))
        #expect(part.header("Content-Range") == "bytes 100-1099/\(bytes.count)")
        let tail = try await UploadRequests.download(url, token: carol.token, headers: ["Range": "bytes=-10"])
        #expect(tail.status == 206 && tail.bytes == Array(bytes.suffix(10)))
        let beyond = try await UploadRequests.download(url, token: carol.token, headers: ["Range": "bytes=999999-"])
        #expect(beyond.status == 416 && beyond.header("Content-Range") == "bytes */\(bytes.count)")
        let etag = try #require(byHeader.header("ETag"))
        let cached = try await UploadRequests.download(url, token: carol.token, headers: ["If-None-Match": etag])
        #expect(cached.status == 304 && cached.bytes.isEmpty)
        #expect(try await UploadRequests.download(url, token: carol.token, headers: ["If-None-Match": "\"other\""]).status == 200)

        // Missing files and names that could escape the directory: the generic 404.
        #expect(try await UploadRequests.download(hub.base + "/uploads/nothing-here.png", token: carol.token).status == 404)
        #expect(try await UploadRequests.download(hub.base + "/uploads/..%2f..%2fetc%2fpasswd", token: carol.token).status == 404)
        #expect(try await UploadRequests.download(hub.base + "/uploads/.incoming", token: carol.token).status == 404)

        // A password change revokes carol's tokens: the download says so.
        await Wait.nextSecond()  // revocation is second-granular
        let changed = try await HTTP.put(hub.base + "/api/users/me/password", json: #"{"currentPassword":"Passw0rdXY","newPassword":"NewPassw0rd9"}"#, token: carol.token)
        #expect(changed.status == 200, "\(changed.body)")
        let revoked = try await UploadRequests.download(url + "?token=\(carol.token)")
        #expect(revoked.status == 401 && revoked.json?["error"]?.stringValue == "Token has been revoked")
    }

    @Test func uploadsAreLinkedToTheirMessageOnce() async throws {
        let (hub, process, database, _) = try await Self.hub()
        defer { process.stop() }
        let dave = try await hub.user("dave")
        let room = try await hub.room("Files", members: [dave])
        func upload(_ token: String, _ name: String) async throws -> String {
            let reply = try await UploadRequests.post(hub.base, body: UploadRequests.file(Array(name.utf8), type: "text/plain", filename: name), token: token)
            return try #require(reply.data?["id"]?.stringValue)
        }
        let first = try await upload(hub.adminToken, "one.txt")
        let second = try await upload(hub.adminToken, "two.txt")
        let davesOwn = try await upload(dave.token, "dave.txt")
        let adminSocket = try await hub.socket(hub.adminToken, rooms: [room])
        let daveSocket = try await hub.socket(dave.token, rooms: [room])

        let message = try await hub.send(adminSocket, room: room, "see files", extra: ["attachmentIds": [second, davesOwn, "nope", first]])
        let attachments = try #require(message["attachments"]?.arrayValue)
        #expect(attachments.map { $0["id"]?.stringValue } == [second, first])
        let messageId = try #require(message["id"]?.stringValue)
        #expect(attachments.first?["messageId"]?.stringValue == messageId)
        #expect(attachments.first?["filename"]?.stringValue == "two.txt")
        #expect(attachments.first?["mimeType"]?.stringValue == "text/plain")
        #expect(attachments.first?["size"]?.numberValue == 7)
        #expect(attachments.first?["url"]?.stringValue?.hasPrefix("/uploads/") == true)
        let seen = try #require(await daveSocket.next(type: "server:new_message"))
        #expect(seen["message"]?["attachments"]?.arrayValue?.count == 2)

        // Already attached, or someone else's: nothing is linked and the key is absent.
        let again = try await hub.send(adminSocket, room: room, "again", extra: ["attachmentIds": [first, davesOwn]])
        #expect(again["attachments"] == nil)
        let plain = try await hub.send(adminSocket, room: room, "plain")
        #expect(plain["attachments"] == nil)
        #expect(try TestEnvironment.psql(database, "SELECT count(*) FROM message_attachments WHERE message_id IS NULL") == "1")

        // History carries them.
        let history = try await hub.get("/api/messages/rooms/\(room)")
        let items = try #require(history.data?["items"]?.arrayValue)
        let stored = try #require(items.first { $0["id"]?.stringValue == messageId })
        #expect(stored["attachments"]?.arrayValue?.compactMap { $0["id"]?.stringValue }.sorted() == [first, second].sorted())
        adminSocket.close()
        daveSocket.close()
    }

    @Test func orphanSweepRemovesOldUnlinkedUploadsOnly() async throws {
        let (hub, process, database, uploadDir) = try await Self.hub(extra: ["ORPHAN_FILE_CHECK_INTERVAL": "1000"])
        defer { process.stop() }
        func upload(_ name: String) async throws -> (id: String, file: String) {
            let reply = try await UploadRequests.post(hub.base, body: UploadRequests.file(Array(name.utf8), type: "text/plain"), token: hub.adminToken)
            let url = try #require(reply.data?["url"]?.stringValue)
            return (try #require(reply.data?["id"]?.stringValue), String(url.dropFirst("/uploads/".count)))
        }
        let old = try await upload("old")
        let fresh = try await upload("fresh")
        let linkedOld = try await upload("linked")
        let room = try await hub.room("Sweep")
        let socket = try await hub.socket(hub.adminToken, rooms: [room])
        _ = try await hub.send(socket, room: room, "keep", extra: ["attachmentIds": [linkedOld.id]])
        socket.close()
        try TestEnvironment.psql(database, "UPDATE message_attachments SET created_at = now() - interval '2 hours' WHERE id IN ('\(old.id)', '\(linkedOld.id)')")

        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, Self.files(in: uploadDir).contains(old.file) {
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(!Self.files(in: uploadDir).contains(old.file))
        #expect(Self.files(in: uploadDir).contains(fresh.file) && Self.files(in: uploadDir).contains(linkedOld.file))
        #expect(try TestEnvironment.psql(database, "SELECT id FROM message_attachments ORDER BY id") == [fresh.id, linkedOld.id].sorted().joined(separator: "\n"))
    }

    /// A client that sends part of a body and disconnects leaves no file, no spool file and no row.
    @Test func anAbortedUploadLeavesNothing() async throws {
        let (hub, process, database, uploadDir) = try await Self.hub()
        defer { process.stop() }
        let body = UploadRequests.file(UploadRequests.noise(4 << 20, prefix: UploadSamples.png), type: "image/png")
        let head = "POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(hub.adminToken)\r\n" +
            "Content-Type: multipart/form-data; boundary=\(UploadRequests.boundary)\r\nContent-Length: \(body.count)\r\n\r\n"
        let fd = try RawHTTP.openConnection(port: process.port)
        #expect(RawHTTP.sendAll(fd, Array(head.utf8) + body.prefix(2 << 20)))
        try await Task.sleep(for: .milliseconds(500))
        close(fd)
        try await Task.sleep(for: .seconds(1))
        #expect(Self.files(in: uploadDir) == [], "\(Self.files(in: uploadDir))")
        let spool = (try? FileManager.default.contentsOfDirectory(atPath: uploadDir + "/.incoming")) ?? []
        #expect(spool.isEmpty, "\(spool)")
        #expect(try TestEnvironment.psql(database, "SELECT count(*) FROM message_attachments") == "0")
        // The hub is still fine.
        #expect(try await UploadRequests.post(hub.base, body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: hub.adminToken).status == 200)
    }

    @Test func avatarReplacesThePreviousOne() async throws {
        let (hub, process, _, uploadDir) = try await Self.hub()
        defer { process.stop() }
        let erin = try await hub.user("erin")
        let first = try await UploadRequests.post(hub.base, "/api/upload/avatar", body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: erin.token)
        #expect(first.status == 200, "\(first.body)")
        let firstURL = try #require(first.data?["avatarUrl"]?.stringValue)
        #expect(firstURL.range(of: #"^/uploads/avatar_\#(erin.id)_\d{13}\.png$"#, options: .regularExpression) != nil, "\(firstURL)")
        try await Task.sleep(for: .milliseconds(5))
        let second = try await UploadRequests.post(hub.base, "/api/upload/avatar", body: UploadRequests.file(UploadSamples.gif, type: "image/gif"), token: erin.token)
        let secondURL = try #require(second.data?["avatarUrl"]?.stringValue)
        #expect(secondURL.hasSuffix(".gif"))
        #expect(Self.files(in: uploadDir) == [String(secondURL.dropFirst("/uploads/".count))])
        let me = try await hub.get("/api/users/me", erin.token)
        #expect(me.data?["avatarUrl"]?.stringValue == secondURL)
    }

    /// Start-up refusals of data-config-security §2.3 for storage, in every mode.
    @Test func storageRefusalsStopTheProcess() async throws {
        let database = try TestEnvironment.freshDatabase()
        for (env, message) in [
            (["STORAGE_PROVIDER": "s3", "S3_BUCKET": "b"], "STORAGE_PROVIDER=s3 requires: S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY"),
            (["UPLOAD_DIR": "/proc/agentim-cannot-exist"], "Upload directory is not writable: /proc/agentim-cannot-exist"),
        ] {
            var full = env
            full["DATABASE_URL"] = database
            let process = try HubProcess("agentim-uploads", environment: full)
            let deadline = ContinuousClock.now + .seconds(20)
            while process.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!process.process.isRunning)
            #expect(process.process.terminationStatus != 0)
            #expect(process.log.contains(message), "\(process.log)")
        }
    }
}
