import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Files: uploads, downloads and their cleanup (DESIGN: uploads owns message_attachments and
/// the files on disk or S3). `addRoutes` mounts the routes on any hub router — its own
/// process's or the single-process hub's edge; `backgroundServices` holds the orphan sweep.
public struct UploadsService: HubService {
    public let runtime: Runtime
    /// The backend (`storage.*` applies at the next start: see `StorageHolder`).
    let storageHolder: StorageHolder
    var storage: any FileStorage { storageHolder.current }
    var receiver: UploadReceiver { storageHolder.receiver }
    let attachments: AttachmentStore
    /// Reaches the auth service, which owns `users`: in this process, or over HTTP at `AUTH_URL`.
    let calls: InternalClient

    /// `calls` defaults to the services at the configured URLs (the distributed topology).
    public init(runtime: Runtime, calls: InternalClient? = nil) throws {
        guard let database = runtime.database else { throw ConfigError("the uploads service needs DATABASE_URL") }
        self.runtime = runtime
        storageHolder = try StorageHolder(config: runtime.config)
        attachments = AttachmentStore(database: database)
        self.calls = calls ?? .http(config: runtime.config, logger: runtime.logger)
        try checkStorage()
    }

    /// Refuses to start when local storage cannot be written (data-config-security §2.3),
    /// and creates the upload and spool directories.
    func checkStorage() throws {
        if runtime.config.storageProvider != "s3" && !isWritableDirectory(runtime.config.uploadDir) {
            throw ConfigError("Upload directory is not writable: \(runtime.config.uploadDir)")
        }
        let spool = storage.spoolDirectory
        do {
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("Upload directory is not writable: \(spool)")
        }
    }

    /// `filesystem`: for S3 whether the bucket answers a signed `HEAD` (cached a few seconds),
    /// else whether the upload directory is writable.
    public func healthChecks() async -> [String: Bool] {
        var checks = await runtime.healthChecks()
        checks["filesystem"] = await storage.isWritable()
        return checks
    }

    public func addRoutes(to router: Router<HubRequestContext>) {
        let identity = runtime.identityMiddleware()
        UploadsController(service: self).addRoutes(to: router.group().add(middleware: identity))
        DownloadController(service: self).addRoutes(to: router.group().add(middleware: identity.acceptingQueryToken()))
    }

    /// `upload.maxFileSize` may be set by an admin; so may the storage backend, taken here.
    public func prepare() async throws {
        try await runtime.settings.reload()
        await storageHolder.applyStoredSettings(config: runtime.config, settings: runtime.settings, logger: runtime.logger)
    }

    /// The orphan sweep (data-config-security §4).
    public var backgroundServices: [any Service] {
        let timer = SettingTimer(settings: runtime.settings, key: "cleanup.orphanFileInterval",
                                 configuredMs: runtime.config.orphanFileCheckIntervalMs, firstRun: OrphanSweep.firstRun,
                                 schemaReady: runtime.schemaReady, logger: runtime.logger, name: "orphan upload sweep")
        return [OrphanSweep(attachments: attachments, storage: storageHolder, timer: timer)]
    }

    /// Records a user's new avatar URL with the auth service.
    func recordAvatar(_ userId: String, _ avatarUrl: String) async throws {
        _ = try await calls.call(InternalRoutes.recordAvatar, AvatarRecord(userId: userId, avatarUrl: avatarUrl))
    }
}
