@testable import EdgeService
import NIOHPACK
import NIOHTTP1
import Testing

/// An answer's HTTP/2 header block: lower-case names, none of the connection-specific fields
/// HTTP/2 forbids, the request id never indexed, every other field as it came.
struct HTTP2ResponseBlockTests {
    @Test func connectionSpecificFieldsGoAndOthersStay() {
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: [
            "Connection": "keep-alive", "Keep-Alive": "timeout=5", "Proxy-Connection": "x", "Transfer-Encoding": "chunked", "Upgrade": "h2c",
            "X-Request-Id": "abc", "Content-Type": "application/json", "ETag": "\"1\"",
            // Names as long as the dropped ones, which must stay.
            "x-extra": "7", "x-abcdefgh": "10", "x-sixteen-chars!": "16", "x-seventeen-chars": "17", "x-twelve-ch!": "12",
        ])
        let block = HTTP2Lane.responseBlock(head)
        #expect(block.map { "\($0.name)=\($0.value)" } == [
            ":status=200", "x-request-id=abc", "content-type=application/json", "etag=\"1\"",
            "x-extra=7", "x-abcdefgh=10", "x-sixteen-chars!=16", "x-seventeen-chars=17", "x-twelve-ch!=12",
        ])
        let nonIndexable = block.map { $0.indexable == HPACKIndexing.nonIndexable }
        #expect(nonIndexable == [false, true, false, false, false, false, false, false, false])
    }
}
