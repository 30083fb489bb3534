import Foundation
import NIOCore
import Testing
@testable import UploadsService

struct UploadRulesTests {
    func check(_ type: String, _ bytes: [UInt8], split: Int? = nil) -> Bool {
        var check = ContentCheck(declaredType: type)
        if let split {
            check.feed(ByteBuffer(bytes: bytes.prefix(split)))
            check.feed(ByteBuffer(bytes: bytes.dropFirst(split)))
        } else {
            check.feed(ByteBuffer(bytes: bytes))
        }
        return check.matches()
    }

    @Test func magicBytesPerDeclaredType() {
        #expect(check("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 1, 2]))
        #expect(!check("image/jpeg", [0x89, 0x50, 0x4E, 0x47]))
        #expect(check("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0], split: 3))
        #expect(!check("image/png", [0x89, 0x50, 0x4E, 0x47]))
        #expect(check("image/gif", Array("GIF89a".utf8)))
        #expect(check("application/pdf", Array("%PDF-1.4".utf8)))
        #expect(check("application/zip", [0x50, 0x4B, 0x03, 0x04, 9]))
        #expect(check("application/x-zip-compressed", [0x50, 0x4B, 0x03, 0x04]))
        #expect(check("application/gzip", [0x1F, 0x8B, 8]))
        #expect(!check("application/gzip", []))
        #expect(!check("image/svg+xml", Array("<svg/>".utf8)))
    }

    @Test func webpNeedsItsChunkName() {
        let good = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8L".utf8) + [1, 2]
        #expect(check("image/webp", good))
        #expect(check("image/webp", good, split: 10))
        #expect(!check("image/webp", Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPXXXX".utf8)))
        #expect(!check("image/webp", Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8)))
        #expect(!check("image/webp", Array("RIFF".utf8) + [0, 0, 0, 0] + Array("AVI VP8 ".utf8)))
    }

    @Test func textMustBeStrictUTF8WithoutNul() {
        #expect(check("text/plain", Array("héllo wörld ✓ 🎉".utf8)))
        #expect(check("text/markdown", Array("# title 🎉".utf8), split: 10))  // inside the emoji
        #expect(check("text/plain", []))
        #expect(!check("text/plain", [0x61, 0x00, 0x62]))
        #expect(!check("text/csv", [0xC3]))                    // truncated
        #expect(!check("application/json", [0xC0, 0x80]))      // overlong NUL
        #expect(!check("text/plain", [0xED, 0xA0, 0x80]))      // surrogate
        #expect(!check("text/plain", [0xF4, 0x90, 0x80, 0x80])) // above U+10FFFF
        #expect(!check("text/plain", [0xFF]))
        // The eight-bytes-at-a-time ASCII path: a NUL or a high byte anywhere in a word.
        #expect(!check("text/plain", Array("abcdefg\0hijklmnop".utf8)))
        #expect(!check("text/plain", Array("abcdefghijklmno".utf8) + [0xFF] + Array("abcdefgh".utf8)))
        #expect(check("text/plain", Array("abcdefghijklmnopé and more ascii text".utf8)))
    }

    @Test func tooLargeRoundsToWholeMiB() {
        #expect(FileTypeRules.tooLarge(limit: 10_485_760).message == "File too large. Maximum size is 10MB")
        #expect(FileTypeRules.tooLarge(limit: 1_572_864).message == "File too large. Maximum size is 2MB")
        #expect(FileTypeRules.tooLarge(limit: 1024).message == "File too large. Maximum size is 0MB")
    }

    @Test func storedNamesUseTheSpecsAlphabetAndExtension() {
        for _ in 0..<200 {
            let name = FileTypeRules.storedName(for: "application/x-zip-compressed")
            #expect(name.hasSuffix(".zip") && name.count == 25)
            #expect(name.dropLast(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        }
        #expect(FileTypeRules.contentType(forStoredName: "a.JPEG") == "image/jpeg")
        #expect(FileTypeRules.contentType(forStoredName: "a.svg") == "application/octet-stream")
        #expect(FileTypeRules.contentType(forStoredName: "noext") == "application/octet-stream")
    }

    @Test func storageKeysCannotLeaveTheirDirectory() {
        #expect(StorageKey("abc_DEF-1.png") != nil)
        #expect(StorageKey("service-agents/x1.png") != nil)
        for bad in ["", "..", "../etc/passwd", "a/../b", "./a", "/abs", "a//b", "a\\b", ".hidden", "a/", "%2e%2e", "a b", "ü.png",
                    String(repeating: "a", count: 600), "a/b/c/d/e"] {
            #expect(StorageKey(bad) == nil, "\(bad)")
        }
        #expect(StorageKey(url: "/uploads/x.png")?.value == "x.png")
        #expect(StorageKey(url: "/elsewhere/x.png") == nil)
    }

    @Test func byteRanges() {
        #expect(ByteRange.parse(nil, size: 10) == .whole)
        #expect(ByteRange.parse("bytes=0-3", size: 10) == .part(0...3))
        #expect(ByteRange.parse("bytes=5-", size: 10) == .part(5...9))
        #expect(ByteRange.parse("bytes=-4", size: 10) == .part(6...9))
        #expect(ByteRange.parse("bytes=-40", size: 10) == .part(0...9))
        #expect(ByteRange.parse("bytes=8-100", size: 10) == .part(8...9))
        #expect(ByteRange.parse("bytes=10-", size: 10) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-0", size: 10) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=0-1,4-5", size: 10) == .whole)
        #expect(ByteRange.parse("items=0-1", size: 10) == .whole)
        #expect(ByteRange.parse("bytes=5-2", size: 10) == .whole)
        #expect(ByteRange.parse("bytes=x-2", size: 10) == .whole)
    }
}
