import NIOCore
import NIOHTTP1

/// The client side of a `ProxyExchange`: an HTTP/1.1 connection (`ProxyLane`) or one
/// HTTP/2 stream (`HTTP2LaneStream`). The exchange speaks NIO's HTTP/1.1 parts to either.
protocol ProxyClient: AnyObject {
    var settings: ProxyLaneSettings { get }
    /// `https` when the edge terminates TLS.
    var scheme: String { get }
    /// An HTTP/2 stream: the connection is not the exchange's to close or keep.
    var onStream: Bool { get }
    var peer: NIOCore.SocketAddress? { get }
    /// False while the client cannot take more of the answer (its socket or stream window).
    var clientWritable: Bool { get }
    func send(_ part: HTTPServerResponsePart)
    func flush()
    /// Ends the client's side at once: an answer cut short.
    func closeClient()
    /// The exchange can take more of the request body.
    func resumeReads()
    /// The answer is complete. `closeConnection`: the answer said `Connection: close`.
    func exchangeFinished(requestComplete: Bool, closeConnection: Bool)
}
