import Foundation

/// Terminal prompts (§3.4): text lines, masked passwords.
public enum Prompting {
    public static func line(_ question: String) -> String? {
        FileHandle.standardError.write(Data("\(question): ".utf8))
        return readLine()?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Raw mode with `*` echo when stdin is a terminal; restored in every case.
    public static func password(_ question: String) throws -> String {
        FileHandle.standardError.write(Data("\(question): ".utf8))
        guard isatty(0) == 1 else { return readLine() ?? "" }
        var original = termios()
        tcgetattr(0, &original)
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG)
        tcsetattr(0, TCSANOW, &raw)
        defer {
            tcsetattr(0, TCSANOW, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        var bytes: [UInt8] = []
        while true {
            var c: UInt8 = 0
            guard read(0, &c, 1) == 1 else { break }
            switch c {
            case 10, 13, 4: return String(decoding: bytes, as: UTF8.self)
            case 3: throw CLIError("interrupted")
            case 127, 8:
                if !bytes.isEmpty { bytes.removeLast(); FileHandle.standardError.write(Data("\u{8} \u{8}".utf8)) }
            default:
                bytes.append(c)
                FileHandle.standardError.write(Data("*".utf8))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
