import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Hummingbird

/// Files: uploads, downloads and their cleanup. This part of the hub takes its place in the
/// topology (process, health with the upload-directory check, proxying through the edge);
/// the upload and download routes arrive with the uploads work.
public struct UploadsService: Sendable {
    let runtime: Runtime

    public init(runtime: Runtime) throws {
        guard runtime.database != nil else { throw ConfigError("the uploads service needs DATABASE_URL") }
        self.runtime = runtime
    }

    /// Refuses to start when local storage cannot be written (data-config-security §2.3).
    public func checkStorage() throws {
        if runtime.config.storageProvider != "s3" && !isWritableDirectory(runtime.config.uploadDir) {
            throw ConfigError("Upload directory is not writable: \(runtime.config.uploadDir)")
        }
    }

    /// `filesystem`: true for S3, else whether the upload directory is writable.
    public func healthChecks() async -> [String: Bool] {
        var checks = await runtime.healthChecks()
        checks["filesystem"] = runtime.config.storageProvider == "s3" || isWritableDirectory(runtime.config.uploadDir)
        return checks
    }

    public func addRoutes(to router: Router<HubRequestContext>) {}
}
