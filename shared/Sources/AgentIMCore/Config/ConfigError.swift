/// A configuration problem found at start. The process prints `message` as one line
/// and exits non-zero before it listens.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
