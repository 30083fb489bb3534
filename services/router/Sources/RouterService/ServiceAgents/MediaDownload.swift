import AgentIMCore
import AgentIMRuntime
import Foundation

/// Brings a provider's media into the hub: fetched when it is a URL (bounded in size and
/// time, its type checked, never into private networks unless `ROUTER_ALLOW_PRIVATE_URLS`),
/// then stored by the uploads service as an attachment waiting for its message.
struct MediaDownload: Sendable {
    let service: RouterService

    /// The original's 120 s for a download.
    static let timeout: Duration = .seconds(120)
    /// Redirects followed (each hop checked again); CDNs rarely use more than one.
    static let maxRedirects = 3

    /// Whether a downloaded `Content-Type` fits `kind`; generic binary (or none) passes.
    static func accepts(_ contentType: String, kind: ProviderMedia.Kind) -> Bool {
        if contentType.isEmpty || contentType == "application/octet-stream" || contentType == "binary/octet-stream" { return true }
        switch kind {
        case .image: return contentType.hasPrefix("image/") && contentType != "image/svg+xml"
        case .audio: return contentType.hasPrefix("audio/")
        case .video: return contentType.hasPrefix("video/")
        case .model: return contentType.hasPrefix("model/") || contentType == "application/gltf-buffer"
        }
    }

    /// The bytes of `media`, then stored: the attachment's id.
    func store(_ media: ProviderMedia) async throws(ProviderFailure) -> StoredAttachment {
        let bytes: Data
        switch media.source {
        case .bytes(let data): bytes = data
        case .url(let url): bytes = try await fetch(url, kind: media.kind)
        }
        guard !bytes.isEmpty else { throw ProviderFailure("The provider returned an empty file") }
        guard bytes.count <= GeneratedMedia.maxBytes else { throw Self.tooLarge }
        do {
            return try await service.calls.call(InternalRoutes.storeGeneratedMedia,
                                                GeneratedMedia(filename: media.filename, mimeType: media.mimeType, data: bytes.base64EncodedString()))
        } catch {
            service.runtime.logger.error("storing service-agent media failed: \(error)")
            throw ProviderFailure("Failed to store the generated file")
        }
    }

    static let tooLarge = ProviderFailure("Media file too large: exceeds \(GeneratedMedia.maxBytes >> 20)MB limit (download aborted)")

    func fetch(_ first: String, kind: ProviderMedia.Kind) async throws(ProviderFailure) -> Data {
        let http = ProviderHTTP(client: service.http.client, api: "media server")
        let deadline = ContinuousClock.now + Self.timeout
        var url = first
        for _ in 0...Self.maxRedirects {
            guard url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://"),
                  await !service.urlGuard.isRefused(url) else {
                throw ProviderFailure("URL points to a private/internal network (blocked for security)")
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw ProviderFailure("Media download did not finish within \(Self.timeout.components.seconds)s") }
            let answer: ProviderHTTP.Answer
            do throws(ProviderFailure) {
                answer = try await http.send(.GET, url, timeout: left, limit: GeneratedMedia.maxBytes, redirects: true)
            } catch {
                throw error.message.contains("too large") ? Self.tooLarge : ProviderFailure("Failed to download media: \(error.message)")
            }
            if (300..<400).contains(answer.status), let location = answer.headers.first(name: "location"),
               let next = URL(string: location, relativeTo: URL(string: url))?.absoluteString {
                url = next
                continue
            }
            guard answer.ok else { throw ProviderFailure("Failed to download media (\(answer.status))") }
            guard Self.accepts(answer.contentType, kind: kind) else {
                throw ProviderFailure("Downloaded media has an unexpected type (\(answer.contentType))")
            }
            return answer.body
        }
        throw ProviderFailure("Failed to download media: too many redirects")
    }
}
