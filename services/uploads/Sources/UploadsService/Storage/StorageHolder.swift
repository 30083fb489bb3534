import AgentIMCore
import AgentIMRuntime
import Foundation
import Logging
import Synchronization

/// The storage backend in use. `storage.*` settings apply at the next start
/// (`SettingDefinition.Applies.restart`): built from the environment when the service is
/// made, then once more at start-up from the settings table (DB → environment → default).
/// A stored choice that cannot be used (an S3 setting missing, a bad endpoint) is logged
/// and the environment's backend stays, so an admin's typo never keeps the hub from starting.
final class StorageHolder: Sendable {
    struct Backend: Sendable {
        var storage: any FileStorage
        var provider: String
        var receiver: UploadReceiver { UploadReceiver(spoolDirectory: storage.spoolDirectory) }
    }

    private let backend: Mutex<Backend>

    init(config: HubConfig) throws {
        backend = Mutex(try Self.make(config))
    }

    var current: any FileStorage { backend.withLock { $0.storage } }
    var provider: String { backend.withLock { $0.provider } }
    var receiver: UploadReceiver { backend.withLock { $0.receiver } }

    static func make(_ config: HubConfig) throws -> Backend {
        let storage: any FileStorage = config.storageProvider == "s3" ? try S3FileStorage(config: config) : LocalFileStorage(directory: config.uploadDir)
        return Backend(storage: storage, provider: config.storageProvider)
    }

    /// The configuration with the `storage.*` settings an admin stored applied over it; nil when none is stored.
    static func configured(_ config: HubConfig, settings: RuntimeSettings) -> HubConfig? {
        var result = config
        var changed = false
        func take(_ key: String, _ apply: (inout HubConfig, String) -> Void) {
            guard let definition = SettingsRegistry.definition(key) else { return }
            let (value, source) = settings.resolve(definition)
            guard source == .db else { return }
            apply(&result, value)
            changed = true
        }
        take("storage.provider") { $0.storageProvider = $1 }
        take("storage.s3.bucket") { $0.s3Bucket = $1 }
        take("storage.s3.region") { $0.s3Region = $1 }
        take("storage.s3.endpoint") { $0.s3Endpoint = $1 }
        take("storage.s3.accessKeyId") { $0.s3AccessKeyId = $1 }
        take("storage.s3.secretAccessKey") { $0.s3SecretAccessKey = $1 }
        return changed ? result : nil
    }

    /// At start-up, once the settings are loaded: switches to the stored backend when there is one.
    func applyStoredSettings(config: HubConfig, settings: RuntimeSettings, logger: Logger) async {
        guard let stored = Self.configured(config, settings: settings) else { return }
        if stored.storageProvider == "s3" {
            let missing = [("storage.s3.bucket", stored.s3Bucket), ("storage.s3.accessKeyId", stored.s3AccessKeyId),
                           ("storage.s3.secretAccessKey", stored.s3SecretAccessKey)].filter { $0.1.isEmpty }.map(\.0)
            if !missing.isEmpty {
                logger.error("storage settings ignored, S3 needs \(missing.joined(separator: ", ")); using \(config.storageProvider) storage")
                return
            }
        }
        do {
            let made = try Self.make(stored)
            try? FileManager.default.createDirectory(atPath: made.storage.spoolDirectory, withIntermediateDirectories: true)
            backend.withLock { $0 = made }
            logger.info("storage: \(made.provider) (from the settings)")
        } catch {
            logger.error("storage settings ignored (\(error)); using \(config.storageProvider) storage")
        }
    }
}
