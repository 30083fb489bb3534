import Foundation
import Logging
import ServiceLifecycle

/// Reads every entry of a fan-out stream (no group), from the newest entry at start on,
/// handing each to `handler` in order. Each edge and each process that caches runs one.
public struct EventFollower: Service {
    public typealias Handler = @Sendable (BusEntry) async -> Void

    let bus: any Bus
    let stream: String
    let handler: Handler
    let logger: Logger
    let startID: String?

    public init(bus: any Bus, stream: String, startingAfter startID: String? = nil, logger: Logger, handler: @escaping Handler) {
        self.bus = bus
        self.stream = stream
        self.startID = startID
        self.handler = handler
        self.logger = logger
    }

    public func run() async throws {
        var position: String
        if let startID { position = startID } else { position = try await bus.lastID(stream) }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    // The blocking read ends early on a graceful shutdown; handlers are not cut.
                    let entries = try await cancelWhenGracefulShutdown { [bus, stream, position] in
                        try await bus.read(stream, after: position, count: 500, block: .seconds(1))
                    }
                    for entry in entries {
                        await handler(entry)
                        position = entry.id
                    }
                } catch {
                    logger.error("bus read failed on \(stream): \(error)")
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        } onGracefulShutdown: {}
    }
}
