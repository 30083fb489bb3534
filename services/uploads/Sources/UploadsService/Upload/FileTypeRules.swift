import AgentIMCore

/// What may be uploaded (http-api §11, data-config-security §3.11): the declared MIME types,
/// the extension each is stored under, the avatar subset and the error texts.
enum FileTypeRules {
    /// Declared type → stored extension, for every type `POST /api/upload` accepts (no SVG).
    static let extensions: [String: String] = [
        "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
        "application/pdf": ".pdf", "application/zip": ".zip", "application/x-zip-compressed": ".zip",
        "application/gzip": ".gz", "text/plain": ".txt", "text/markdown": ".md", "text/csv": ".csv",
        "application/json": ".json",
    ]
    static let avatarTypes: Set<String> = ["image/jpeg", "image/png", "image/gif", "image/webp"]
    /// Types a browser may show inline; everything else is served as `Content-Disposition: attachment`.
    static let inlineTypes = avatarTypes
    static let avatarMaxSize = 2 << 20

    /// Content type of a stored name by its extension (the download's fallback when storage has none).
    static func contentType(forStoredName name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        switch name[dot...].lowercased() {
        case ".jpg", ".jpeg": return "image/jpeg"
        case ".png": return "image/png"
        case ".gif": return "image/gif"
        case ".webp": return "image/webp"
        case ".pdf": return "application/pdf"
        case ".zip": return "application/zip"
        case ".gz": return "application/gzip"
        case ".txt": return "text/plain"
        case ".md": return "text/markdown"
        case ".csv": return "text/csv"
        case ".json": return "application/json"
        // Service agents' media (stored by `GeneratedMediaIntake`).
        case ".mp3": return "audio/mpeg"
        case ".wav": return "audio/wav"
        case ".mp4": return "video/mp4"
        case ".glb": return "model/gltf-binary"
        default: return "application/octet-stream"
        }
    }

    static let noFile = APIError(400, "No file provided")
    static let contentMismatch = APIError(400, "File content does not match declared type")
    static let avatarTooLarge = APIError(400, "Avatar too large. Maximum size is 2MB")
    static let avatarTypeNotAllowed = APIError(400, "Only JPEG, PNG, GIF and WebP images are allowed")

    static func typeNotAllowed(_ type: String) -> APIError { APIError(400, "File type \"\(type)\" is not allowed") }

    /// `N` is the limit in MiB rounded half up, as JavaScript's `Math.round`.
    static func tooLarge(limit: Int) -> APIError {
        let mib = (Double(limit) / 1_048_576).rounded(.toNearestOrAwayFromZero)
        return APIError(400, "File too large. Maximum size is \(Int(mib))MB")
    }

    /// Storage names of regular uploads: 21 characters from `A-Za-z0-9_` (no `-`), then the extension.
    static func storedName(for type: String) -> String {
        var id = Nanoid.make()
        id = String(id.map { $0 == "-" ? "_" : $0 })
        return id + (extensions[type] ?? "")
    }
}
