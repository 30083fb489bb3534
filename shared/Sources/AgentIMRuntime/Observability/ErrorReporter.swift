import AgentIMCore
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Reports unhandled errors and 5xx answers to Sentry (`SENTRY_DSN`) as events on its envelope
/// endpoint, off the request path: `report` only queues (a bounded buffer, never waiting; a
/// report that finds it full is dropped and counted) and `sender` posts them one by one.
/// Without a DSN `report` returns at its first check.
public final class ErrorReporter: Sendable {
    /// What one event says. No headers, bodies or query strings: they may carry credentials.
    public struct Report: Sendable {
        public var message: String
        public var errorType: String?
        public var status: Int?
        public var requestId: String?
        public var method: String?
        public var path: String?
        public var traceparent: String?
        public var timestamp: Date

        public init(message: String, errorType: String? = nil, status: Int? = nil, requestId: String? = nil,
                    method: String? = nil, path: String? = nil, traceparent: String? = Traces.currentTraceparent()) {
            self.message = message
            self.errorType = errorType
            self.status = status
            self.requestId = requestId
            self.method = method
            self.path = path
            self.traceparent = traceparent
            timestamp = Date()
        }
    }

    /// Reports waiting to be sent, at most.
    public static let capacity = 256
    /// How long one post may take before it is given up.
    static let sendTimeout: TimeAmount = .seconds(5)

    private let dsn: Mutex<SentryDSN?>
    private let queue: AsyncStream<Report>
    private let continuation: AsyncStream<Report>.Continuation
    private let droppedCount = Atomic<Int>(0)
    let serviceName: String
    let environment: String
    let serverName: String
    let logger: Logger

    public init(dsn: SentryDSN?, serviceName: String, environment: String, serverName: String, logger: Logger) {
        self.dsn = Mutex(dsn)
        (queue, continuation) = AsyncStream.makeStream(of: Report.self, bufferingPolicy: .bufferingOldest(Self.capacity))
        self.serviceName = serviceName
        self.environment = environment
        self.serverName = serverName
        self.logger = logger
    }

    public var isEnabled: Bool { dsn.withLock { $0 != nil } }

    /// Reports dropped because the queue was full.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// A new DSN (the `sentry.dsn` setting changed), or nil to stop reporting.
    public func update(_ newDSN: SentryDSN?) {
        dsn.withLock { $0 = newDSN }
    }

    /// Queues `report`; never waits.
    public func report(_ report: @autoclosure () -> Report) {
        guard isEnabled else { return }
        if case .dropped = continuation.yield(report()) {
            droppedCount.add(1, ordering: .relaxed)
        }
    }

    /// A bus command whose handler threw (`CommandWorker.reportingFailures`): it stays pending
    /// and is retried, but an operator hears of it as of a 5xx.
    @Sendable public func commandFailed(stream: String, entryId: String, error: any Error) {
        report(Report(message: "command \(entryId) on \(stream) failed: \(error)", errorType: String(describing: type(of: error)),
                      path: stream))
    }

    /// Posts what is queued; on a graceful shutdown it sends what is left, then returns.
    public var sender: some Service { Sender(reporter: self) }

    struct Sender: Service, CustomStringConvertible {
        let reporter: ErrorReporter
        var description: String { "Sentry sender" }

        func run() async {
            await withGracefulShutdownHandler {
                for await report in reporter.queue {
                    await reporter.send(report)
                }
            } onGracefulShutdown: {
                reporter.continuation.finish()
            }
        }
    }

    /// Sends `report` now, bypassing the queue: for a process about to exit.
    public func sendNow(_ report: Report) async {
        guard isEnabled else { return }
        await send(report)
    }

    func send(_ report: Report) async {
        guard let dsn = dsn.withLock({ $0 }) else { return }
        let envelope = Self.envelope(report, dsn: dsn, serviceName: serviceName, environment: environment, serverName: serverName)
        var request = HTTPClientRequest(url: dsn.envelopeURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-sentry-envelope")
        request.headers.add(name: "X-Sentry-Auth", value: dsn.authHeader)
        request.body = .bytes(ByteBuffer(bytes: envelope))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: Self.sendTimeout)
            _ = try? await response.body.collect(upTo: 64 << 10)
            if !(200..<300).contains(response.status.code) {
                logger.warning("Sentry refused an event: HTTP \(response.status.code)")
            }
        } catch {
            logger.warning("Sentry event not sent: \(error)")
        }
    }

    /// An envelope of one event: the envelope header, the item header, the event (one line each).
    static func envelope(_ report: Report, dsn: SentryDSN, serviceName: String, environment: String, serverName: String) -> Data {
        let eventID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var tags: [String: JSONValue] = ["service": .string(serviceName)]
        if let requestId = report.requestId { tags["request_id"] = .string(requestId) }
        if let status = report.status { tags["http.status_code"] = .string(String(status)) }
        var event: [String: JSONValue] = [
            "event_id": .string(eventID),
            "timestamp": .number(report.timestamp.timeIntervalSince1970),
            "platform": .string("other"),
            "level": .string("error"),
            "logger": .string(serviceName),
            "server_name": .string(serverName),
            "environment": .string(environment),
            "message": .object(["formatted": .string(report.message)]),
            "tags": .object(tags),
        ]
        if let errorType = report.errorType {
            event["exception"] = .object(["values": .array([.object(["type": .string(errorType), "value": .string(report.message)])])])
        }
        if let method = report.method, let path = report.path {
            event["request"] = .object(["method": .string(method), "url": .string(path)])
        }
        if let traceparent = report.traceparent {
            let parts = traceparent.split(separator: "-")
            if parts.count == 4 {
                event["contexts"] = .object(["trace": .object(["trace_id": .string(String(parts[1])), "span_id": .string(String(parts[2]))])])
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(JSONValue.object(event))) ?? Data("{}".utf8)
        let sentAt = ISO8601DateFormatter().string(from: Date())
        let header = (try? encoder.encode(JSONValue.object(["event_id": .string(eventID), "dsn": .string(dsn.raw), "sent_at": .string(sentAt)]))) ?? Data()
        let item = (try? encoder.encode(JSONValue.object(["type": .string("event"), "length": .number(Double(body.count)), "content_type": .string("application/json")]))) ?? Data()
        var envelope = header
        envelope.append(0x0A)
        envelope.append(item)
        envelope.append(0x0A)
        envelope.append(body)
        envelope.append(0x0A)
        return envelope
    }
}

extension ErrorReporter {
    /// The process's reporter: `SENTRY_DSN` at start (a value that is not a DSN is refused with one
    /// line); afterwards an admin's change of `sentry.dsn` re-initialises it (data-config-security:
    /// the stored value counts only when it changes while the process runs, a restart reads the env).
    static func start(config: HubConfig, settings: RuntimeSettings, serverName: String, logger: Logger) throws -> ErrorReporter {
        let dsn = try SentryDSN(ProcessInfo.processInfo.environment["SENTRY_DSN"] ?? "")
        let reporter = ErrorReporter(dsn: dsn, serviceName: "agentim-\(config.processRole)",
                                     environment: config.isProduction ? "production" : "development", serverName: serverName, logger: logger)
        let seen = StoredDSN()
        settings.onChange { settings in
            let stored = settings.storedValue("sentry.dsn")
            let changed = seen.value.withLock { previous -> Bool in
                defer { previous = .some(stored) }
                guard case .some(let before) = previous else { return false }  // the first load: the env stays
                return before != stored
            }
            guard changed else { return }
            do {
                reporter.update(try SentryDSN(stored ?? "", variable: "sentry.dsn"))
                logger.info("Sentry re-initialised from the sentry.dsn setting")
            } catch {
                logger.warning("sentry.dsn is not a Sentry DSN; keeping the previous one")
            }
        }
        return reporter
    }
}

/// The `sentry.dsn` value the last settings load found (`.none` before the first load).
private final class StoredDSN: Sendable {
    let value = Mutex<String??>(.none)
}
