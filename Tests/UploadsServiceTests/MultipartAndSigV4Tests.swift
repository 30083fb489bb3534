import Foundation
import NIOCore
import Testing
@testable import UploadsService

struct MultipartAndSigV4Tests {
    @Test func boundaryComesFromAFormDataContentTypeOnly() {
        #expect(MultipartEvents.boundary(ofContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartEvents.boundary(ofContentType: "Multipart/Form-Data;boundary=\"a b\"") == "a b")
        #expect(MultipartEvents.boundary(ofContentType: "multipart/form-data") == nil)
        #expect(MultipartEvents.boundary(ofContentType: "multipart/form-data; boundary=") == nil)
        #expect(MultipartEvents.boundary(ofContentType: "application/json") == nil)
        #expect(MultipartEvents.boundary(ofContentType: nil) == nil)
    }

    @Test func contentDispositionParameters() {
        let plain = ContentDisposition(#"form-data; name="file"; filename="a \"b\".png""#)
        #expect(plain.name == "file" && plain.filename == #"a "b".png"#)
        let extended = ContentDisposition(#"form-data; name=file; filename="x.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"#)
        #expect(extended.name == "file" && extended.filename == "résumé.txt")
        let field = ContentDisposition(#"form-data; name="file""#)
        #expect(field.name == "file" && field.filename == nil)
    }

    /// A body cut into 7-byte chunks still yields one part whose pieces join to the file.
    @Test func eventsFollowAStreamedBody() throws {
        let file = Array("line one\r\nline\rtwo\r\n--not the boundary\r\n".utf8) + [0x0D, 0x0A, 0x2D]
        var body = Array("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XyZ\r\n".utf8)
        body += Array("Content-Disposition: form-data; name=\"file\"; filename=\"t.txt\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
        body += file + Array("\r\n--XyZ--\r\n".utf8)
        let parser = MultipartEvents(boundary: "XyZ")
        var events: [MultipartEvents.Event] = []
        var index = 0
        while index < body.count {
            events += try parser.feed(ByteBuffer(bytes: body[index..<min(index + 7, body.count)]))
            index += 7
        }
        var parts: [[UInt8]] = [[]]
        var headers: [String] = []
        for event in events {
            switch event {
            case .header(let name, let value): headers.append("\(name): \(value)")
            case .body(let piece): parts[parts.count - 1] += Array(piece.readableBytesView)
            case .partComplete: parts.append([])
            }
        }
        #expect(parts.count == 3)
        #expect(parts[0] == Array("hi".utf8))
        #expect(parts[1] == file)
        #expect(headers.contains("Content-Type: text/plain"))
    }

    /// AWS's published Signature V4 examples.
    @Test func sigV4MatchesAWSTestVectors() {
        // aws-sig-v4-test-suite "get-vanilla".
        let suite = SigV4(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                          region: "us-east-1", service: "service")
        let vanilla = suite.authorization(method: "GET", path: "/", query: [],
                                          headers: ["host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z"],
                                          payloadHash: SigV4.emptyPayloadHash)
        #expect(vanilla == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        // "get-vanilla-query-order-key-case": parameters are signed sorted.
        let ordered = suite.authorization(method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
                                          headers: ["host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z"],
                                          payloadHash: SigV4.emptyPayloadHash)
        #expect(ordered.hasSuffix("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
        // S3 documentation, "Example: GET Object" with a Range header.
        let s3 = SigV4(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                       region: "us-east-1", service: "s3")
        let object = s3.authorization(method: "GET", path: "/test.txt", query: [],
                                      headers: ["host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9",
                                                "x-amz-content-sha256": SigV4.emptyPayloadHash, "x-amz-date": "20130524T000000Z"],
                                      payloadHash: SigV4.emptyPayloadHash)
        #expect(object == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(SigV4.encode("a b/c~d*", keepSlash: true) == "a%20b/c~d%2A")
        #expect(SigV4.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
    }

    @Test func listAnswersAreRead() {
        let xml = "<ListBucketResult><Contents><Key>avatar_u_1.png</Key></Contents><Contents><Key>avatar_u_2.png</Key></Contents><IsTruncated>false</IsTruncated></ListBucketResult>"
        #expect(S3FileStorage.elements("Key", in: xml) == ["avatar_u_1.png", "avatar_u_2.png"])
        #expect(S3FileStorage.elements("IsTruncated", in: xml) == ["false"])
    }
}
