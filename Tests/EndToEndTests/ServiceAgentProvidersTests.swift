import AgentIMCore
import Foundation
import Testing

/// Every provider `GET /api/service-agents/providers` advertises, called for real through the
/// single-process hub against `fake_providers.py`, a local server speaking each provider's
/// API (keys checked, slow ones polled): a mention in a room ends as the agent's message —
/// text, or media stored by the uploads service and attached — or as an error in the room.
@Suite(.serialized)
struct ServiceAgentProvidersTests {
    /// A hub (fast polling: 200 ms, 4 s at most), the fake providers, and a room with one CLI
    /// agent (service agents answer only in rooms that have one) and its owner's socket.
    final class Scene: @unchecked Sendable {
        let fake: FakeProviders
        let hub: Fixture
        let process: HubProcess
        let setup: AgentGatewayTests.Setup

        init() async throws {
            fake = try await FakeProviders()
            let (hub, process) = try await Fixture.singleProcess(extra: [
                "ROUTER_ALLOW_PRIVATE_URLS": "true", "ENCRYPTION_KEY": "service-agent-providers-key-0123456789",
                "SERVICE_AGENT_POLL_INTERVAL_MS": "200", "SERVICE_AGENT_MAX_WAIT_MS": "4000",
            ])
            self.hub = hub
            self.process = process
            setup = try await AgentGatewayTests.setup(hub, agents: [("agent-sa-1", "helper")])
        }

        func stop() {
            setup.gateway.close()
            setup.client.close()
            process.stop()
            fake.stop()
        }

        /// Creates a service agent; its id.
        func agent(_ name: String, _ type: String, _ config: [String: JSONValue]) async throws -> String {
            let body = String(decoding: try JSONEncoder().encode(JSONValue.object(["name": .string(name), "type": .string(type), "config": .object(config)])), as: UTF8.self)
            let created = try await hub.post("/api/service-agents", body)
            #expect(created.status == 201, "create \(name): \(created.body)")
            return try #require(created.data?["id"]?.stringValue)
        }

        func validate(_ id: String) async throws -> JSONValue? {
            try await hub.post("/api/service-agents/\(id)/validate", nil).data
        }

        /// Mentions `name` and collects what reaches the room from it: its messages (the
        /// status message of a slow provider, then its result) or a notice `@name: …`.
        func ask(_ name: String, id: String, _ text: String, messages count: Int = 1, timeout: Duration = .seconds(20)) async throws -> [JSONValue] {
            _ = try await hub.send(setup.client, room: setup.room, "@\(name) \(text)")
            var seen: [JSONValue] = []
            let deadline = ContinuousClock.now + timeout
            while seen.count < count, ContinuousClock.now < deadline {
                guard let frame = await setup.client.next(type: "server:new_message", timeout: deadline - ContinuousClock.now),
                      let message = frame["message"] else { break }
                if message["senderId"]?.stringValue == id { seen.append(message) }
                if message["senderType"]?.stringValue == "system", message["content"]?.stringValue?.hasPrefix("@\(name):") == true {
                    return seen + [message]
                }
            }
            return seen
        }

        /// The attachment's bytes as a room member downloads them through the hub.
        func download(_ attachment: JSONValue?) async throws -> [UInt8] {
            let url = try #require(attachment?["url"]?.stringValue)
            let file = try await UploadRequests.download(hub.base + url, token: setup.amy.token)
            #expect(file.status == 200, "download \(url)")
            return file.bytes
        }
    }

    static let good: JSONValue = .string("good-key")
    static let bad: JSONValue = .string("wrong-key")

    /// A system notice for `name` whose text starts with `prefix`.
    static func isNotice(_ messages: [JSONValue], _ name: String, _ prefix: String) -> Bool {
        guard let last = messages.last, last["senderType"]?.stringValue == "system" else { return false }
        return last["content"]?.stringValue?.hasPrefix("@\(name): \(prefix)") == true
    }

    @Test func chatAndSearchAnswerInTextOrAsAnError() async throws {
        let scene = try await Scene()
        defer { scene.stop() }
        let fake = scene.fake

        // openai-chat: the user turn is "[sender]: content"; the answer is the message.
        let chat = try await scene.agent("Chat", "openai-chat", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.good, "model": .string("m1")])
        let answered = try await scene.ask("Chat", id: chat, "hello there")
        #expect(answered.count == 1 && answered.first?["type"] == .string("agent_response"))
        #expect(answered.first?["content"]?.stringValue?.hasPrefix("answer: [\(scene.setup.amy.username)]: @Chat hello there") == true, "\(answered)")

        // An answer without `choices`, an error object in a 200, a 500: errors in the room, never an empty message.
        let bare = try await scene.agent("Bare", "openai-chat", ["baseUrl": .string(fake.baseURL("nochoices")), "apiKey": Self.good, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("Bare", id: bare, "hi"), "Bare", "OpenAI API returned no choices"))
        let quota = try await scene.agent("Quota", "openai-chat", ["baseUrl": .string(fake.baseURL("errorbody")), "apiKey": Self.good, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("Quota", id: quota, "hi"), "Quota", "OpenAI API error: quota exceeded"))
        let down = try await scene.agent("Down", "openai-chat", ["baseUrl": .string(fake.baseURL("fail")), "apiKey": Self.good, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("Down", id: down, "hi"), "Down", "OpenAI API error (500): "))
        let locked = try await scene.agent("Locked", "openai-chat", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.bad, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("Locked", id: locked, "hi"), "Locked", "OpenAI API error (401): "))

        // perplexity: the prompt alone, defaults filled in, citations listed under the answer.
        let search = try await scene.agent("Search", "perplexity", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.good, "model": .string("sonar")])
        let found = try await scene.ask("Search", id: search, "what is new")
        #expect(found.first?["content"]?.stringValue == "answer: @Search what is new\n\n---\n**Sources:**\n1. https://example.com/a\n2. https://example.com/b", "\(found)")
        let sent = try #require(try await fake.lastRequest("/ok/chat/completions"))
        let body = try JSONDecoder().decode(JSONValue.self, from: Data((sent["body"]?.stringValue ?? "").utf8))
        #expect(body["model"] == .string("sonar") && body["max_tokens"] == .number(4096) && sent["auth"] == .string("Bearer good-key"))
        let searchDown = try await scene.agent("SearchDown", "perplexity", ["baseUrl": .string(fake.baseURL("fail")), "apiKey": Self.good, "model": .string("sonar")])
        #expect(Self.isNotice(try await scene.ask("SearchDown", id: searchDown, "hi"), "SearchDown", "Perplexity API error (500): "))
        let searchBare = try await scene.agent("SearchBare", "perplexity", ["baseUrl": .string(fake.baseURL("nochoices")), "apiKey": Self.good, "model": .string("sonar")])
        #expect(Self.isNotice(try await scene.ask("SearchBare", id: searchBare, "hi"), "SearchBare", "Perplexity API returned no choices"))

        // validate: a real request with the stored key.
        #expect(try await scene.validate(chat) == .object(["valid": .bool(true)]))
        #expect(try await scene.validate(locked) == .object(["valid": .bool(false), "error": .string("API returned 401")]))
        #expect(try await scene.validate(search) == .object(["valid": .bool(true)]))
        let searchLocked = try await scene.agent("SearchLocked", "perplexity", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.bad, "model": .string("sonar")])
        #expect(try await scene.validate(searchLocked) == .object(["valid": .bool(false), "error": .string("API returned 401")]))
        // A provider that cannot be reached is not valid either.
        let nowhere = try await scene.agent("Nowhere", "perplexity", ["baseUrl": .string("http://127.0.0.1:\(TestEnvironment.freePort())"), "apiKey": Self.good, "model": .string("sonar")])
        #expect(try await scene.validate(nowhere) == .object(["valid": .bool(false), "error": .string("Connection to the Perplexity API failed")]))
    }

    @Test func imagesAndSpeechArriveAsAttachments() async throws {
        let scene = try await Scene()
        defer { scene.stop() }
        let fake = scene.fake

        // openai-image by URL: downloaded, stored by uploads, attached; the caption is the revised prompt.
        let painter = try await scene.agent("Painter", "openai-image", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.good, "model": .string("gpt-image-1")])
        let painted = try await scene.ask("Painter", id: painter, "a red fox")
        let message = try #require(painted.first)
        #expect(message["content"] == .string("a revised prompt") && message["type"] == .string("agent_response"))
        let attachment = try #require(message["attachments"]?.arrayValue?.first)
        #expect(attachment["mimeType"] == .string("image/png") && attachment["filename"]?.stringValue?.hasSuffix(".png") == true)
        #expect(attachment["messageId"] == message["id"])
        let expected = try await fake.file("image.png")
        #expect(try await scene.download(attachment) == expected, "the stored file is the provider's image")
        #expect(attachment["size"] == .number(Double(expected.count)))
        let request = try #require(try await fake.lastRequest("/ok/images/generations"))
        let body = try JSONDecoder().decode(JSONValue.self, from: Data((request["body"]?.stringValue ?? "").utf8))
        #expect(body["n"] == .number(1) && body["size"] == .string("auto") && body["quality"] == .string("auto") && body["prompt"] == .string("@Painter a red fox"))
        // Persisted with its attachment: history shows it.
        let history = try await scene.hub.get("/api/messages/rooms/\(scene.setup.room)", scene.setup.amy.token)
        let stored = history.data?["items"]?.arrayValue?.first { $0["id"] == message["id"] }
        #expect(stored?["attachments"]?.arrayValue?.first?["id"] == attachment["id"])

        // Inline (b64_json) images are stored the same way.
        let inline = try await scene.agent("Inline", "openai-image", ["baseUrl": .string(fake.baseURL("b64")), "apiKey": Self.good, "model": .string("gpt-image-1")])
        let inlined = try await scene.ask("Inline", id: inline, "a cat")
        #expect(inlined.first?["content"] == .string("Generation complete"))
        #expect(try await scene.download(inlined.first?["attachments"]?.arrayValue?.first) == (try await fake.file("inline.png")))

        // Bounded downloads: a page that is not an image, a body over the limit; a failing API.
        let html = try await scene.agent("Html", "openai-image", ["baseUrl": .string(fake.baseURL("badtype")), "apiKey": Self.good, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("Html", id: html, "x"), "Html", "Downloaded media has an unexpected type (text/html)"))
        let huge = try await scene.agent("Huge", "openai-image", ["baseUrl": .string(fake.baseURL("huge")), "apiKey": Self.good, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("Huge", id: huge, "x"), "Huge", "Media file too large: exceeds 40MB limit"))
        let broken = try await scene.agent("Broken", "openai-image", ["baseUrl": .string(fake.baseURL("fail")), "apiKey": Self.good, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("Broken", id: broken, "x"), "Broken", "OpenAI Image API error (500): "))

        // elevenlabs: the audio bytes themselves, the prompt as caption.
        let voice = try await scene.agent("Voice", "elevenlabs", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.good, "voiceId": .string("v-1")])
        let spoken = try await scene.ask("Voice", id: voice, "read this")
        let audio = try #require(spoken.first?["attachments"]?.arrayValue?.first, "\(spoken)")
        #expect(spoken.first?["content"] == .string("@Voice read this") && audio["mimeType"] == .string("audio/mpeg"))
        #expect(try await scene.download(audio) == Array("ID3\u{4}\0\0@Voice read this".utf8) + Array((0..<4).flatMap { _ in (0...255).map(UInt8.init) }))
        let speech = try #require(try await fake.lastRequest("/ok/text-to-speech/v-1"))
        #expect(speech["auth"] == .string("good-key") && speech["path"]?.stringValue?.hasSuffix("?output_format=mp3_44100_128") == true)
        let mute = try await scene.agent("Mute", "elevenlabs", ["baseUrl": .string(fake.baseURL("fail")), "apiKey": Self.good, "voiceId": .string("v-1")])
        #expect(Self.isNotice(try await scene.ask("Mute", id: mute, "x"), "Mute", "ElevenLabs API error (500): "))

        // validate asks each API with the stored key.
        #expect(try await scene.validate(painter) == .object(["valid": .bool(true)]))
        #expect(try await scene.validate(voice) == .object(["valid": .bool(true)]))
        let badPainter = try await scene.agent("BadPainter", "openai-image", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.bad, "model": .string("m")])
        #expect(try await scene.validate(badPainter) == .object(["valid": .bool(false), "error": .string("API returned 401")]))
        let badVoice = try await scene.agent("BadVoice", "elevenlabs", ["baseUrl": .string(fake.baseURL("ok")), "apiKey": Self.bad, "voiceId": .string("v")])
        #expect(try await scene.validate(badVoice) == .object(["valid": .bool(false), "error": .string("API returned 401")]))
    }

    @Test func slowProvidersArePolledUntilDoneFailedOrOutOfTime() async throws {
        let scene = try await Scene()
        defer { scene.stop() }
        let fake = scene.fake

        // Each: a status message, then (after two "processing" polls) the result with its file.
        let cases: [(name: String, type: String, config: [String: JSONValue], status: String, file: String, mime: String)] = [
            ("Video", "runway", ["baseUrl": .string(fake.baseURL("ok"))], "Generating video... This may take 1-3 minutes.", "video.mp4", "video/mp4"),
            ("Music", "stability-audio", ["baseUrl": .string(fake.baseURL("ok", root: "/v2beta"))], "Generating music... This may take a minute.", "music.mp3", "audio/mpeg"),
            ("Mesh", "meshy", ["baseUrl": .string(fake.baseURL("ok"))], "Generating 3D model... This may take 1-5 minutes.", "model.glb", "model/gltf-binary"),
        ]
        for item in cases {
            var config = item.config
            config["apiKey"] = Self.good
            if item.type == "runway" || item.type == "meshy" { config["model"] = .string("default") }
            let id = try await scene.agent(item.name, item.type, config)
            let messages = try await scene.ask(item.name, id: id, "make it", messages: 2)
            #expect(messages.count == 2, "\(item.name): \(messages)")
            #expect(messages.first?["content"] == .string(item.status) && messages.first?["attachments"] == nil)
            let result = try #require(messages.last)
            #expect(result["content"] == .string("Generation complete"))
            let attachment = try #require(result["attachments"]?.arrayValue?.first, "\(item.name): \(result)")
            #expect(attachment["mimeType"] == .string(item.mime))
            #expect(try await scene.download(attachment) == (try await fake.file(item.file)), "\(item.name): the stored file is the provider's")
            #expect(try await scene.validate(id) == .object(["valid": .bool(true)]))
            var badConfig = config
            badConfig["apiKey"] = Self.bad
            let bad = try await scene.agent("Bad" + item.name, item.type, badConfig)
            #expect(try await scene.validate(bad) == .object(["valid": .bool(false), "error": .string("API returned 401")]))
        }
        let polls = try await fake.state().polls
        #expect(polls.count == 3 && polls.values.allSatisfy { $0 == 3 }, "two processing polls, then done: \(polls)")
        let start = try #require(try await fake.lastRequest("/ok/text_to_video"))
        #expect(start["runwayVersion"] == .string("2024-11-06"))
        let music = try #require(try await fake.lastRequest("/ok/v2beta/audio/generate", method: "POST"))
        #expect(music["contentType"]?.stringValue?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(music["body"]?.stringValue?.contains("name=\"duration_seconds\"\r\n\r\n30\r\n") == true)
        let mesh = try #require(try await fake.lastRequest("/ok/text-to-3d", method: "POST"))
        #expect(mesh["body"]?.stringValue?.contains("\"mode\":\"preview\"") == true)

        // stability-audio may answer at once: no status message.
        let quick = try await scene.agent("Quick", "stability-audio", ["baseUrl": .string(fake.baseURL("sync", root: "/v2beta")), "apiKey": Self.good])
        let quickly = try await scene.ask("Quick", id: quick, "a tune")
        #expect(quickly.first?["content"] == .string("@Quick a tune"))
        #expect(try await scene.download(quickly.first?["attachments"]?.arrayValue?.first) == (try await fake.file("music.mp3")))

        // A failed task, a task that never ends (4 s bound here), a failing start.
        let failed = try await scene.agent("Refused", "runway", ["baseUrl": .string(fake.baseURL("taskfail")), "apiKey": Self.good, "model": .string("gen4_turbo")])
        let refusal = try await scene.ask("Refused", id: failed, "x", messages: 2)
        #expect(refusal.last?["content"] == .string("Generation failed: Runway generation failed: content moderation"), "\(refusal)")
        let meshFailed = try await scene.agent("MeshRefused", "meshy", ["baseUrl": .string(fake.baseURL("taskfail")), "apiKey": Self.good, "model": .string("m")])
        #expect(try await scene.ask("MeshRefused", id: meshFailed, "x", messages: 2).last?["content"] == .string("Generation failed: Meshy generation failed: mesh too complex"))
        let endless = try await scene.agent("Endless", "stability-audio", ["baseUrl": .string(fake.baseURL("never", root: "/v2beta")), "apiKey": Self.good])
        let started = ContinuousClock.now
        let timedOut = try await scene.ask("Endless", id: endless, "x", messages: 2)
        #expect(timedOut.last?["content"] == .string("Generation failed: Generation timed out"), "\(timedOut)")
        #expect(ContinuousClock.now - started < .seconds(8), "bounded by SERVICE_AGENT_MAX_WAIT_MS")
        let startFails = try await scene.agent("VideoDown", "runway", ["baseUrl": .string(fake.baseURL("fail")), "apiKey": Self.good, "model": .string("m")])
        #expect(Self.isNotice(try await scene.ask("VideoDown", id: startFails, "x"), "VideoDown", "Runway API error (500): "))
    }

    /// The distributed topology: the router process polls the provider and hands the file to
    /// the uploads process over its internal route (`UPLOADS_URL`); rooms links it to the
    /// reply; the edge serves it.
    @Test func mediaCrossesTheDistributedTopology() async throws {
        let redis = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
        let fake = try await FakeProviders()
        defer { fake.stop() }
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-sa-\(UUID().uuidString)").path
        let common = ["DATABASE_URL": try TestEnvironment.freshDatabase(), "REDIS_URL": redis, "JWT_SECRET": DistributedHub.secret,
                      "ADMIN_PASSWORD": ChatScenario.adminPassword, "UPLOAD_DIR": upload]
        var processes: [HubProcess] = []
        defer { processes.forEach { $0.stop() } }
        func start(_ name: String, _ extra: [String: String] = [:], health: String = "/internal/health") async throws -> HubProcess {
            var environment = common.merging(extra) { _, new in new }
            if name == "agentim-edge" { environment["DATABASE_URL"] = nil }
            let process = try HubProcess(name, environment: environment)
            processes.append(process)
            try await process.waitUntilHealthy(path: health)
            return process
        }
        let uploads = try await start("agentim-uploads")
        let auth = try await start("agentim-auth")
        let rooms = try await start("agentim-rooms")
        let router = try await start("agentim-router", ["UPLOADS_URL": uploads.baseURL, "ROUTER_ALLOW_PRIVATE_URLS": "true",
                                                        "SERVICE_AGENT_POLL_INTERVAL_MS": "200"])
        let edge = try await start("agentim-edge", ["AUTH_URL": auth.baseURL, "ROOMS_URL": rooms.baseURL, "ROUTER_URL": router.baseURL,
                                                    "UPLOADS_URL": uploads.baseURL], health: "/api/health")
        let hub = try await Fixture(base: edge.baseURL, ws: edge.wsURL)
        let setup = try await AgentGatewayTests.setup(hub, agents: [("agent-sa-d", "helper")])
        defer { setup.gateway.close(); setup.client.close() }

        let created = try await hub.post("/api/service-agents", #"{"name":"Mesh","type":"meshy","config":{"baseUrl":"\#(fake.baseURL("ok"))","apiKey":"good-key","model":"m"}}"#)
        let id = try #require(created.data?["id"]?.stringValue, "\(created.body)")
        _ = try await hub.send(setup.client, room: setup.room, "@Mesh a teapot")
        var messages: [JSONValue] = []
        while messages.count < 2, let frame = await setup.client.next(type: "server:new_message", timeout: .seconds(20)) {
            if frame["message"]?["senderId"]?.stringValue == id, let message = frame["message"] { messages.append(message) }
        }
        #expect(messages.first?["content"] == .string("Generating 3D model... This may take 1-5 minutes."), "\(messages)")
        let attachment = try #require(messages.last?["attachments"]?.arrayValue?.first, "\(messages)")
        let file = try await UploadRequests.download(edge.baseURL + (attachment["url"]?.stringValue ?? ""), token: setup.amy.token)
        let expected = try await fake.file("model.glb")
        #expect(file.status == 200 && file.bytes == expected)
        #expect(file.header("Content-Type") == "model/gltf-binary")
    }
}
