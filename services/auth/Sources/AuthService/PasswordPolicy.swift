import AgentIMCore
import AgentIMHTTP

/// The password rule for accounts created or changed through the API (http-api §1.11):
/// 8–128 chars with a lowercase letter, an uppercase letter and a digit.
enum PasswordPolicy {
    static func check(_ password: String, field: String, into reader: inout FieldReader) {
        if password.jsLength < 8 { reader.fail(field, "validation.passwordMinLength") }
        if password.jsLength > 128 { reader.fail(field, "validation.passwordMaxLength") }
        if !password.contains(where: { $0.isASCII && $0.isLowercase }) { reader.fail(field, "validation.passwordLowercase") }
        if !password.contains(where: { $0.isASCII && $0.isUppercase }) { reader.fail(field, "validation.passwordUppercase") }
        if !password.contains(where: { $0.isASCII && $0.isNumber }) { reader.fail(field, "validation.passwordDigit") }
    }
}
