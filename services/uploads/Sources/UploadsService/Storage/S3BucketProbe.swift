import AsyncHTTPClient
import Logging
import NIOCore

/// The S3 half of `/api/health`: a signed `HEAD` on the bucket, so wrong credentials, a
/// revoked policy or a missing bucket show as `filesystem: false` instead of a healthy hub
/// whose files cannot be read. The answer is kept for a few seconds and the request has a
/// short timeout, so a burst of health checks costs one request and never hangs.
actor S3BucketProbe {
    static let cacheFor = Duration.seconds(5)
    static let timeout = TimeAmount.seconds(3)
    private var last: (at: ContinuousClock.Instant, healthy: Bool)?
    private var running: Task<Bool, Never>?
    private let logger = Logger(label: "agentim.uploads.s3")

    func healthy(_ storage: S3FileStorage) async -> Bool {
        if let last, ContinuousClock.now - last.at < Self.cacheFor { return last.healthy }
        if let running { return await running.value }
        let task = Task { await Self.ask(storage, logger: logger) }
        running = task
        let healthy = await task.value
        last = (ContinuousClock.now, healthy)
        running = nil
        return healthy
    }

    private static func ask(_ storage: S3FileStorage, logger: Logger) async -> Bool {
        do {
            let response = try await storage.client.execute(storage.request(.HEAD, path: storage.pathPrefix.isEmpty ? "/" : storage.pathPrefix),
                                                            timeout: timeout)
            _ = try await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200: return true
            case 401, 403:
                logger.error("S3 bucket \(storage.bucket) forbidden (\(response.status.code)): the credentials or the bucket policy refuse access")
            case 404: logger.error("S3 bucket \(storage.bucket) not found (404)")
            default: logger.error("S3 bucket \(storage.bucket) answered \(response.status.code) to HEAD")
            }
        } catch {
            logger.error("S3 bucket \(storage.bucket) unreachable: \(error)")
        }
        return false
    }
}
