/// An error that leaves a service as the hub's JSON envelope
/// `{ok:false, error, fields?}` with a stable status code (http-api §1.2).
public struct APIError: Error, Sendable, Equatable {
    public struct FieldIssue: Codable, Sendable, Equatable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var message: String
    public var fields: [FieldIssue]?

    public init(_ status: Int, _ message: String, fields: [FieldIssue]? = nil) {
        self.status = status
        self.message = message
        self.fields = fields
    }

    public static func validation(_ fields: [FieldIssue]) -> APIError {
        APIError(400, "Validation failed", fields: fields)
    }

    public static let invalidJSON = APIError(400, "Invalid JSON body")
    public static let unauthorized = APIError(401, "Unauthorized")
    public static let invalidToken = APIError(401, "Invalid or expired token")
    public static let invalidTokenType = APIError(401, "Invalid token type")
    public static let tokenRevoked = APIError(401, "Token revoked")
    public static let adminRequired = APIError(403, "Admin access required")
    public static let tooManyRequests = APIError(429, "Too many requests")

    public static func invalidParameter(_ name: String) -> APIError {
        APIError(400, "Invalid parameter: \(name)")
    }
}

/// The success envelope `{ok:true, data}`.
public struct Envelope<T: Encodable & Sendable>: Encodable, Sendable {
    public let ok = true
    public let data: T
    public init(_ data: T) { self.data = data }
}

/// `{ok:true}` without data.
public struct OKEnvelope: Encodable, Sendable {
    public let ok = true
    public init() {}
}

/// The error envelope body.
public struct ErrorEnvelope: Encodable, Sendable {
    public let ok = false
    public let error: String
    public let fields: [APIError.FieldIssue]?
    public let errorId: String?

    public init(error: String, fields: [APIError.FieldIssue]? = nil, errorId: String? = nil) {
        self.error = error
        self.fields = fields
        self.errorId = errorId
    }
}
