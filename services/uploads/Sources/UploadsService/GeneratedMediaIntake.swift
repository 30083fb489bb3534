import AgentIMCore
import AgentIMRuntime
import Foundation
import NIOCore

/// Stores files a service agent's provider generated (`InternalRoutes.storeGeneratedMedia`):
/// written to the spool, moved into storage under `service-agents/<id>.<ext>`, recorded as
/// an attachment that rooms links to the agent's reply. The router is trusted to have
/// bounded the download, but the input is checked again here.
struct GeneratedMediaIntake: Sendable {
    let service: UploadsService

    func store(_ media: GeneratedMedia) async throws -> StoredAttachment {
        guard media.data.utf8.count <= (GeneratedMedia.maxBytes / 3 + 1) * 4, let bytes = Data(base64Encoded: media.data) else {
            throw APIError(400, "Invalid media data")
        }
        guard bytes.count <= GeneratedMedia.maxBytes else { throw FileTypeRules.tooLarge(limit: GeneratedMedia.maxBytes) }
        guard Self.isMediaType(media.mimeType) else { throw APIError(400, "Invalid media type") }
        let filename = Self.cleanName(media.filename)
        let id = String(Nanoid.make().map { $0 == "-" ? "_" : $0 })
        guard let key = StorageKey("service-agents/\(id)\(Self.fileExtension(filename))") else { throw APIError(400, "Invalid file name") }

        let writer = try await SpoolWriter.create(in: service.storage.spoolDirectory, name: "media-\(id)")
        let spooled: SpooledFile
        do {
            try await writer.write(ByteBuffer(bytes: bytes))
            spooled = try await writer.finish()
        } catch {
            await writer.discard()
            throw error
        }
        do {
            try await service.storage.store(spooled, at: key, contentType: media.mimeType)
        } catch {
            await spooled.remove()
            throw error
        }
        do {
            try await service.attachments.insert(.init(id: id, filename: filename, mimeType: media.mimeType, size: bytes.count,
                                                       url: key.url, uploadedBy: nil))
        } catch {
            try? await service.storage.delete(key)
            throw error
        }
        return StoredAttachment(id: id, filename: filename, mimeType: media.mimeType, size: bytes.count, url: key.url)
    }

    /// `type/subtype` of plain token characters.
    static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let token = { (part: Substring) in
            !part.isEmpty && part.count <= 64 && part.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "+-.".unicodeScalars.contains($0) }
        }
        return parts.count == 2 && token(parts[0]) && token(parts[1])
    }

    /// The display name: no path, no control characters, at most 255 characters.
    static func cleanName(_ raw: String) -> String {
        let base = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)).prefix(255)
        return clean.isEmpty ? "media" : String(clean)
    }

    /// `.ext` of the name when it is 1–8 letters or digits, else none.
    static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        let ext = name[name.index(after: dot)...].lowercased()
        guard (1...8).contains(ext.count), ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return "" }
        return "." + ext
    }
}

extension UploadsService {
    /// Calls other hub processes make to uploads: storing a service agent's media.
    public var internalHandlers: InternalHandlers {
        var handlers = InternalHandlers()
        let intake = GeneratedMediaIntake(service: self)
        handlers.on(InternalRoutes.storeGeneratedMedia) { try await intake.store($0) }
        return handlers
    }
}
