import Foundation
import MultipartKit
import NIOCore

/// multipart-kit's streaming parser, turned into a list of events per body chunk so the
/// async side (spooling to disk) can follow them in order. Consecutive body pieces are
/// joined: the parser cuts the body at every CR byte, and writing each piece on its own
/// would mean thousands of tiny writes for one binary file.
final class MultipartEvents {
    enum Event {
        case header(name: String, value: String)
        case body(ByteBuffer)
        case partComplete
    }

    private let parser: MultipartParser
    private var events: [Event] = []

    init(boundary: String) {
        parser = MultipartParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in events.append(.header(name: name, value: value)) }
        parser.onBody = { [unowned self] piece in
            // Take the last piece out before appending to it: a copy still held by the array
            // would make every append copy the whole joined buffer.
            if case .body = events.last, case .body(var joined) = events.removeLast() {
                joined.writeBuffer(&piece)
                events.append(.body(joined))
            } else {
                events.append(.body(piece))
            }
        }
        parser.onPartComplete = { [unowned self] in events.append(.partComplete) }
    }

    /// Feeds one chunk of the request body; returns what it completed, in order.
    func feed(_ chunk: ByteBuffer) throws -> [Event] {
        events.removeAll(keepingCapacity: true)
        try parser.execute(chunk)
        return events
    }

    /// `boundary` of a `multipart/form-data` content type, or nil for any other body.
    static func boundary(ofContentType contentType: String?) -> String? {
        guard let contentType else { return nil }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = parts.first, type.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }
}

/// The parameters of a part's `Content-Disposition: form-data; name="file"; filename="a.png"`.
struct ContentDisposition {
    var name: String?
    var filename: String?

    init(_ header: String) {
        var index = header.startIndex
        func skipSpaces() { while index < header.endIndex, header[index] == " " || header[index] == "\t" { index = header.index(after: index) } }
        // Skip the disposition type.
        while index < header.endIndex, header[index] != ";" { index = header.index(after: index) }
        var extended: String?
        while index < header.endIndex {
            index = header.index(after: index)  // past ";"
            skipSpaces()
            var key = ""
            while index < header.endIndex, header[index] != "=", header[index] != ";" { key.append(header[index]); index = header.index(after: index) }
            guard index < header.endIndex, header[index] == "=" else { continue }
            index = header.index(after: index)
            var value = ""
            if index < header.endIndex, header[index] == "\"" {
                index = header.index(after: index)
                while index < header.endIndex, header[index] != "\"" {
                    if header[index] == "\\", header.index(after: index) < header.endIndex { index = header.index(after: index) }
                    value.append(header[index])
                    index = header.index(after: index)
                }
                if index < header.endIndex { index = header.index(after: index) }
                while index < header.endIndex, header[index] != ";" { index = header.index(after: index) }
            } else {
                while index < header.endIndex, header[index] != ";" { value.append(header[index]); index = header.index(after: index) }
                value = value.trimmingCharacters(in: .whitespaces)
            }
            switch key.trimmingCharacters(in: .whitespaces).lowercased() {
            case "name": name = value
            case "filename": filename = value
            case "filename*": extended = value
            default: break
            }
        }
        // RFC 5987 `filename*=UTF-8''a%20b.png` wins over the plain form.
        if let extended, let quote = extended.range(of: "''"),
           let decoded = extended[quote.upperBound...].removingPercentEncoding {
            filename = decoded
        }
    }
}
