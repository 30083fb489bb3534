import AgentIMCore
import Foundation
import Testing

/// Uploads in the distributed topology: the body streams through the edge to an
/// agentim-uploads process without either holding it whole, and replicas sharing one upload
/// directory serve each other's files.
@Suite(.serialized) struct UploadsDistributedTests {
    @Test func aTwelveMebibyteUploadStreamsThroughTheEdgeWithBoundedMemory() async throws {
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-shared-\(UUID().uuidString)").path
        let topology = try await UploadsTopology(replicas: 2, storage: ["UPLOAD_DIR": shared, "MAX_FILE_SIZE": "12582912"])
        defer { topology.stop() }
        let edgeA = topology.edges[0], edgeB = topology.edges[1]
        let token = try await ChatScenario.login(edgeA.baseURL, "admin", ChatScenario.adminPassword)

        // The largest file whose multipart body still fits the 12 MiB cap.
        let file = UploadRequests.noise((12 << 20) - 512, prefix: UploadSamples.png)
        let body = UploadRequests.file(file, type: "image/png", filename: "big.png")
        #expect(body.count <= 12 << 20)
        let edgeBefore = try edgeA.memory().peak >> 10, serviceBefore = try topology.uploads[0].memory().peak >> 10
        let started = ContinuousClock.now
        let reply = try await UploadRequests.postStreamed(edgeA.baseURL, body: body, token: token)
        let took = ContinuousClock.now - started
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.data?["size"]?.numberValue == Double(file.count))
        let edgePeak = try edgeA.memory().peak >> 10, servicePeak = try topology.uploads[0].memory().peak >> 10
        print("12 MiB upload through the edge in \(took): edge peak RSS \(edgeBefore) → \(edgePeak) KiB, uploads service peak RSS \(serviceBefore) → \(servicePeak) KiB")
        // Holding the body whole would add at least 12 MiB to a peak; streaming adds buffers only.
        #expect(edgePeak - edgeBefore < 8 << 10, "edge peak grew by \(edgePeak - edgeBefore) KiB")
        #expect(servicePeak - serviceBefore < 8 << 10, "uploads service peak grew by \(servicePeak - serviceBefore) KiB")

        // The other replica, behind the other edge, serves it from the shared directory.
        let url = try #require(reply.data?["url"]?.stringValue)
        let download = try await UploadRequests.download(edgeB.baseURL + url, token: token)
        #expect(download.status == 200)
        #expect(UploadRequests.sha256(download.bytes) == UploadRequests.sha256(file))
        let part = try await UploadRequests.download(edgeB.baseURL + url, token: token, headers: ["Range": "bytes=\(file.count - 100)-"])
        #expect(part.status == 206 && part.bytes == Array(file.suffix(100)))
    }
}
