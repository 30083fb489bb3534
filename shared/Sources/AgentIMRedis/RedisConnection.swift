import CHiredis
import Foundation

/// One blocking hiredis connection. Not thread-safe: `RedisClient` hands it to one
/// thread-pool thread at a time and never uses it on an event loop.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>

    init(host: String, port: Int, timeoutSeconds: Int = 5) throws {
        let timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        guard let context = redisConnectWithTimeout(host, Int32(port), timeout) else {
            throw RedisError("cannot allocate a connection to \(host):\(port)")
        }
        if context.pointee.err != 0 {
            let message = RedisConnection.errorText(context)
            redisFree(context)
            throw RedisError("cannot connect to \(host):\(port): \(message)")
        }
        self.context = context
    }

    deinit { redisFree(context) }

    /// True once hiredis reported an I/O or protocol error; the connection must be dropped.
    var isBroken: Bool { context.pointee.err != 0 }

    /// Sets the socket read timeout, so a blocking read (XREAD BLOCK) cannot hang forever.
    func setTimeout(seconds: Int) {
        let timeout = timeval(tv_sec: seconds, tv_usec: 0)
        redisSetTimeout(context, timeout)
    }

    /// Sends one command with binary-safe arguments and waits for its reply.
    func command(_ arguments: [[UInt8]]) throws -> RedisValue {
        let raw = arguments.withArgv { argc, argv, argvlen in redisCommandArgv(context, argc, argv, argvlen) }
        guard let raw else {
            throw RedisError(RedisConnection.errorText(context))
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return RedisConnection.copy(reply)
    }

    static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            items.reserveCapacity(Int(r.elements))
            for i in 0..<Int(r.elements) {
                if let element = r.element[i] { items.append(copy(element)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix(while: { $0 != 0 })
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension Array where Element == [UInt8] {
    /// The arguments as the C arrays of pointers and lengths hiredis takes, alive for `body`.
    func withArgv<R>(_ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafeMutablePointer<Int>?) -> R) -> R {
        let buffers = map { bytes -> UnsafeMutablePointer<CChar> in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: Swift.max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { pointer.update(from: $0.baseAddress!, count: bytes.count) }
            }
            return pointer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var pointers: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        var lengths: [Int] = map { $0.count }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeMutableBufferPointer { argvlen in body(Int32(count), argv.baseAddress, argvlen.baseAddress) }
        }
    }
}
