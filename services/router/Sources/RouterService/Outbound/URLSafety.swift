import Foundation

/// The SSRF rules of data-config-security §3.8 for router `llmBaseUrl`s, without any I/O:
/// the host is normalised the way a WHATWG URL parser does (decimal, hex and octal IPv4
/// forms become dotted decimal, IPv6 is parsed to its 16 bytes) before it is classified,
/// so spellings like `http://0x7f.1/` or `http://[::ffff:7f00:1]/` cannot slip through.
public enum URLSafety {
    /// A host as a URL parser sees it.
    public enum Host: Equatable, Sendable {
        case ipv4([UInt8])
        case ipv6([UInt8])
        case name(String)
    }

    /// The scheme and normalised host of an absolute URL; nil when it does not parse.
    public static func parse(_ url: String) -> (scheme: String, host: Host)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        var authority = url[schemeEnd.upperBound...].prefix { !"/?#\\".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var hostText: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            guard let bytes = ipv6Bytes(String(hostText)) else { return nil }
            return (scheme, .ipv6(bytes))
        }
        hostText = authority.prefix { $0 != ":" }
        guard let decoded = String(hostText).removingPercentEncoding?.lowercased(), !decoded.isEmpty else { return nil }
        if decoded.contains(where: { " <>^|%[]\\/".contains($0) || $0.isWhitespace }) { return nil }
        switch whatwgIPv4(decoded) {
        case .some(.some(let bytes)): return (scheme, .ipv4(bytes))
        case .some(.none): return nil  // ends in a number but is not a valid IPv4: the URL does not parse
        case .none: return (scheme, .name(decoded))
        }
    }

    /// `isInternalUrl` of §3.8: true for anything a router must not be pointed at by
    /// its spelling alone (DNS is `HostResolver`'s part).
    public static func isInternal(_ url: String) -> Bool {
        guard let (scheme, host) = parse(url) else { return true }
        guard scheme == "http" || scheme == "https" else { return true }
        switch host {
        case .ipv4(let bytes): return isPrivate(ipv4: bytes)
        case .ipv6(let bytes): return isPrivate(ipv6: bytes)
        case .name(let raw):
            // A trailing dot names the same host (`localhost.`).
            let name = raw.hasSuffix(".") ? String(raw.dropLast()) : raw
            if name == "localhost" || name.hasSuffix(".localhost") || name == "0.0.0.0" { return true }
            if name.hasSuffix(".local") || name.hasSuffix(".internal") { return true }
            // Labels that look like hex or octal numbers (`0x7f.example`, `0177.x`).
            let first = name.prefix { $0 != "." }
            if first.hasPrefix("0x"), first.count > 2, first.dropFirst(2).allSatisfy(\.isHexDigit) { return true }
            if first.count > 1, first.hasPrefix("0"), first.allSatisfy({ ("0"..."7").contains($0) }) { return true }
            return false
        }
    }

    /// Whether DNS must be asked: only for names (literal addresses were judged already).
    public static func hostNameToResolve(_ url: String) -> String? {
        guard let (_, host) = parse(url), case .name(let name) = host else { return nil }
        return name
    }

    /// 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 224/4 and 240/4.
    public static func isPrivate(ipv4 b: [UInt8]) -> Bool {
        guard b.count == 4 else { return true }
        switch b[0] {
        case 0, 10, 127: return true
        case 100: return (64...127).contains(b[1])
        case 169: return b[1] == 254
        case 172: return (16...31).contains(b[1])
        case 192: return b[1] == 168
        case 224...255: return true
        default: return false
        }
    }

    /// `::`, `::1`, fc00::/7, fe80::/10 (and the old site-local fec0::/10), multicast ff00::/8,
    /// and IPv4 carried inside IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64
    /// `64:ff9b::a.b.c.d`) when that IPv4 is private.
    public static func isPrivate(ipv6 b: [UInt8]) -> Bool {
        guard b.count == 16 else { return true }
        if b[0] & 0xFE == 0xFC { return true }
        if b[0] == 0xFE && b[1] & 0xC0 >= 0x80 { return true }
        if b[0] == 0xFF { return true }
        let embedded = Array(b[12...])
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return isPrivate(ipv4: embedded) }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return true }  // ::, ::1 and the deprecated ::a.b.c.d
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..<12].allSatisfy({ $0 == 0 }) {
            return isPrivate(ipv4: embedded)
        }
        return false
    }

    /// A resolved address in text form (what getaddrinfo returns).
    public static func isPrivate(address: String) -> Bool {
        if let v4 = dottedIPv4(address) { return isPrivate(ipv4: v4) }
        if let v6 = ipv6Bytes(address) { return isPrivate(ipv6: v6) }
        return true
    }

    /// The WHATWG IPv4 parser: nil when the host does not end in a number (a domain name),
    /// `.some(nil)` when it does but is invalid (the URL is then invalid), else the four bytes.
    static func whatwgIPv4(_ host: String) -> [UInt8]?? {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "", parts.count > 1 { parts.removeLast() }
        guard let last = parts.last, endsInNumber(last) else { return .none }
        guard parts.count <= 4 else { return .some(nil) }
        var numbers: [UInt64] = []
        for part in parts {
            guard let value = ipv4Number(part) else { return .some(nil) }
            numbers.append(value)
        }
        for value in numbers.dropLast() where value > 255 { return .some(nil) }
        let limit = UInt64(1) << (8 * UInt64(5 - numbers.count))
        guard numbers.last! < limit else { return .some(nil) }
        var address = numbers.last!
        for (index, value) in numbers.dropLast().enumerated() { address += value << (8 * UInt64(3 - index)) }
        return .some([UInt8((address >> 24) & 0xFF), UInt8((address >> 16) & 0xFF), UInt8((address >> 8) & 0xFF), UInt8(address & 0xFF)])
    }

    static func endsInNumber(_ part: String) -> Bool {
        if !part.isEmpty && part.allSatisfy({ ("0"..."9").contains($0) }) { return true }
        return ipv4Number(part) != nil
    }

    static func ipv4Number(_ part: String) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var text = Substring(part)
        var radix = 10
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            text = text.dropFirst(2)
            radix = 16
        } else if text.count > 1 && text.hasPrefix("0") {
            text = text.dropFirst()
            radix = 8
        }
        if text.isEmpty { return 0 }
        guard text.count <= 20, let value = UInt64(text, radix: radix) else { return nil }
        return value
    }

    static func dottedIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ ("0"..."9").contains($0) }), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// RFC 4291 text form (with an optional trailing dotted IPv4) to 16 bytes.
    static func ipv6Bytes(_ raw: String) -> [UInt8]? {
        var text = raw.lowercased()
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var tail: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = dottedIPv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            text = String(text[...lastColon])
            if !text.hasSuffix("::") { text.removeLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        let rest = halves.count == 2 ? groups(halves[1]) : []
        guard let rest else { return nil }
        let wanted = 8 - tail.count / 2
        var all: [UInt16]
        if halves.count == 2 {
            guard head.count + rest.count < wanted else { return nil }
            all = head + Array(repeating: 0, count: wanted - head.count - rest.count) + rest
        } else {
            guard head.count == wanted else { return nil }
            all = head
        }
        var bytes: [UInt8] = []
        for group in all { bytes.append(UInt8(group >> 8)); bytes.append(UInt8(group & 0xFF)) }
        return bytes + tail
    }
}
