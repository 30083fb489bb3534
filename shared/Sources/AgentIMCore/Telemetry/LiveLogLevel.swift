import Logging
import Synchronization

/// The process's log level, changeable while it runs (`log.level`, where the original read
/// `LOG_LEVEL` once). Every logger made through `Telemetry.bootstrap` reads it at each call,
/// unless code set a level on that logger itself.
public enum LiveLogLevel {
    private static let level = Atomic<UInt8>(levelIndex(.info))
    private static let all = Logger.Level.allCases

    public static var current: Logger.Level { all[Int(level.load(ordering: .relaxed))] }

    public static func set(_ newLevel: Logger.Level) {
        level.store(levelIndex(newLevel), ordering: .relaxed)
    }

    /// `debug`, `info`, `warn`, `error`, `fatal` (the setting's values) or a swift-log name; nil for anything else.
    public static func parse(_ name: String) -> Logger.Level? {
        Logger.Level(rawValue: name == "warn" ? "warning" : (name == "fatal" ? "critical" : name))
    }

    private static func levelIndex(_ level: Logger.Level) -> UInt8 {
        UInt8(all.firstIndex(of: level) ?? 2)
    }
}

/// A stderr handler whose level is `LiveLogLevel.current` until someone sets one on the logger.
struct LiveLevelLogHandler: LogHandler {
    var inner: StreamLogHandler
    var ownLevel: Logger.Level?

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        inner = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
        inner.logLevel = .trace  // the level is checked here, not there
    }

    var logLevel: Logger.Level {
        get { ownLevel ?? LiveLogLevel.current }
        set { ownLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        inner.log(level: level, message: message, metadata: metadata, source: source, file: file, function: function, line: line)
    }
}
