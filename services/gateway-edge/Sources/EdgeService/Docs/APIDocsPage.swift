import AgentIMCore
import Foundation

/// `OpenAPIDocument` as a readable page: operations grouped by tag in the document's order,
/// each with its access, parameters, request body and every status it answers, then the
/// shared schemas. Built once; every text from the document is HTML-escaped.
enum APIDocsPage {
    static let html: String = render(OpenAPIDocument.json)

    static func render(_ json: String) -> String {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else {
            return page(title: "AgentIM hub API", body: "<p>The OpenAPI document could not be read.</p>")
        }
        let title = document["info"]?["title"]?.stringValue ?? "API"
        var body = "<h1>\(escape(title))</h1>\n"
        body += "<p>\(inline(document["info"]?["description"]?.stringValue ?? ""))</p>\n"
        body += "<p>The machine-readable document: <a href=\"/api/docs/openapi.json\">/api/docs/openapi.json</a> (OpenAPI "
            + "\(escape(document["openapi"]?.stringValue ?? "")))</p>\n"
        let operations = Self.operations(document, json: json)
        let tags = (document["tags"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        body += "<nav>" + tags.map { "<a href=\"#\(anchor($0))\">\(escape($0))</a>" }.joined(separator: " · ")
            + " · <a href=\"#schemas\">Schemas</a></nav>\n"
        for tag in tags {
            body += "<section id=\"\(anchor(tag))\"><h2>\(escape(tag))</h2>\n"
            for operation in operations where operation.tag == tag {
                body += render(operation, document: document)
            }
            body += "</section>\n"
        }
        body += "<section id=\"schemas\"><h2>Schemas</h2>\n"
        for (name, schema) in (document["components"]?["schemas"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            body += "<details id=\"schema-\(anchor(name))\"><summary><code>\(escape(name))</code></summary>\n"
                + schemaBlock(schema, document: document) + "</details>\n"
        }
        body += "</section>\n"
        return page(title: title, body: body)
    }

    struct Operation {
        let method: String
        let path: String
        let tag: String
        let value: JSONValue
    }

    static let methods = ["get", "post", "put", "patch", "delete"]

    /// Every operation, paths in the order the document lists them (the decoded object has
    /// none): the document writes each path key on a line of its own, four spaces in.
    static func operations(_ document: JSONValue, json: String) -> [Operation] {
        let paths = document["paths"]?.objectValue ?? [:]
        var ordered: [String] = []
        for line in json.split(separator: "\n") where line.hasPrefix("    \"/") {
            let key = line.dropFirst(5).prefix { $0 != "\"" }
            if paths[String(key)] != nil, !ordered.contains(String(key)) { ordered.append(String(key)) }
        }
        ordered += paths.keys.filter { !ordered.contains($0) }.sorted()
        return ordered.flatMap { path in
            methods.compactMap { method in
                guard let value = paths[path]?[method] else { return nil }
                return Operation(method: method, path: path, tag: value["tags"]?.arrayValue?.first?.stringValue ?? "Other", value: value)
            }
        }
    }

    static func render(_ operation: Operation, document: JSONValue) -> String {
        let value = operation.value
        let id = value["operationId"]?.stringValue ?? operation.method + operation.path
        var html = "<details id=\"\(anchor(id))\"><summary><span class=\"m m-\(operation.method)\">\(operation.method.uppercased())</span> "
            + "<code>\(escape(operation.path))</code> \(escape(value["summary"]?.stringValue ?? ""))</summary>\n"
        if let description = value["description"]?.stringValue {
            html += description.components(separatedBy: "\n\n").map { "<p>\(inline($0))</p>" }.joined() + "\n"
        }
        let security = value["security"] ?? document["security"] ?? .array([])
        html += "<p><b>Security:</b> \(securityText(security))</p>\n"
        if let parameters = value["parameters"]?.arrayValue, !parameters.isEmpty {
            html += "<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Schema</th><th>Description</th></tr>\n"
            for parameter in parameters.map({ resolve($0, document: document) }) {
                let required = parameter["required"] == .bool(true) ? " <i>required</i>" : ""
                html += "<tr><td><code>\(escape(parameter["name"]?.stringValue ?? ""))</code>\(required)</td>"
                    + "<td>\(escape(parameter["in"]?.stringValue ?? ""))</td>"
                    + "<td>\(describe(parameter["schema"] ?? .null))</td>"
                    + "<td>\(inline(parameter["description"]?.stringValue ?? ""))</td></tr>\n"
            }
            html += "</table>\n"
        }
        if let body = value["requestBody"].map({ resolve($0, document: document) }) {
            let required = body["required"] == .bool(true) ? "required" : "optional"
            html += "<h4>Request body (\(required))</h4>"
            if let description = body["description"]?.stringValue { html += "<p>\(inline(description))</p>" }
            for (type, content) in (body["content"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                html += "<p><code>\(escape(type))</code></p>" + schemaBlock(content["schema"] ?? .null, document: document)
            }
        }
        html += "<h4>Responses</h4><table><tr><th>Status</th><th>Description</th><th>Body</th></tr>\n"
        for (status, response) in (value["responses"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let resolved = resolve(response, document: document)
            let bodies = (resolved["content"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }).map { type, content in
                "<code>\(escape(type))</code> \(describe(content["schema"] ?? .null))"
            }
            html += "<tr><td>\(escape(status))</td><td>\(inline(resolved["description"]?.stringValue ?? ""))</td>"
                + "<td>\(bodies.joined(separator: "<br>"))</td></tr>\n"
        }
        return html + "</table></details>\n"
    }

    static func securityText(_ security: JSONValue) -> String {
        let options = security.arrayValue ?? []
        if options.isEmpty { return "none (public)" }
        let names: [String: String] = ["bearerAuth": "<code>Authorization: Bearer &lt;access token&gt;</code>",
                                       "refreshCookie": "the <code>agentim_rt</code> cookie", "tokenQuery": "<code>?token=&lt;access token&gt;</code>"]
        return options.map { option -> String in
            let keys = (option.objectValue ?? [:]).keys.sorted()
            return keys.isEmpty ? "none" : keys.map { names[$0] ?? escape($0) }.joined(separator: " and ")
        }.joined(separator: ", or ")
    }

    /// A response, parameter, request body or schema behind `$ref` (a component may refer to
    /// another); a `description` beside a `$ref` replaces the component's (OpenAPI 3.1).
    static func resolve(_ value: JSONValue, document: JSONValue, depth: Int = 0) -> JSONValue {
        guard depth < 8, let reference = value["$ref"]?.stringValue, reference.hasPrefix("#/") else { return value }
        var current: JSONValue? = document
        for part in reference.dropFirst(2).split(separator: "/") { current = current?[String(part)] }
        guard let target = current else { return value }
        var resolved = resolve(target, document: document, depth: depth + 1)
        if let description = value["description"], case .object(var fields) = resolved {
            fields["description"] = description
            resolved = .object(fields)
        }
        return resolved
    }

    /// An object schema as a table of its properties; anything else as one line.
    static func schemaBlock(_ schema: JSONValue, document: JSONValue) -> String {
        guard let properties = schema["properties"]?.objectValue, !properties.isEmpty else {
            return "<p>\(describe(schema))</p>\n"
        }
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var html = "<table><tr><th>Field</th><th>Schema</th><th>Description</th></tr>\n"
        for (name, property) in properties.sorted(by: { $0.key < $1.key }) {
            let mark = required.contains(name) ? " <i>required</i>" : ""
            html += "<tr><td><code>\(escape(name))</code>\(mark)</td><td>\(describe(property))</td>"
                + "<td>\(inline(property["description"]?.stringValue ?? ""))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// One line: the type (or referenced schema, linked) and its limits.
    static func describe(_ schema: JSONValue) -> String {
        if let reference = schema["$ref"]?.stringValue {
            let name = String(reference.split(separator: "/").last ?? "")
            return "<a href=\"#schema-\(anchor(name))\">\(escape(name))</a>"
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            if let parts = schema[combinator]?.arrayValue {
                return parts.map(describe).joined(separator: combinator == "allOf" ? " + " : " | ")
            }
        }
        var text: String
        switch schema["type"] {
        case .string(let type)?: text = type
        case .array(let types)?: text = types.compactMap(\.stringValue).joined(separator: " | ")
        default: text = schema["const"].map { "<code>\(escape(literal($0)))</code>" } ?? "any"
        }
        if let items = schema["items"] { text += " of " + describe(items) }
        if let additional = schema["additionalProperties"], additional.objectValue != nil { text += " of " + describe(additional) }
        var limits: [String] = []
        for key in ["minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "format", "pattern", "default"] {
            if let value = schema[key] { limits.append("\(key) \(escape(literal(value)))") }
        }
        if let values = schema["enum"]?.arrayValue { limits.append("one of " + values.map { escape(literal($0)) }.joined(separator: ", ")) }
        return limits.isEmpty ? text : text + " <small>(" + limits.joined(separator: "; ") + ")</small>"
    }

    static func literal(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): String(flag)
        case .null: "null"
        default: (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? ""
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Escaped text with `code` spans.
    static func inline(_ text: String) -> String {
        let parts = escape(text).components(separatedBy: "`")
        return parts.enumerated().map { $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : $0.element }.joined()
    }

    static func anchor(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1rem 1.5rem;color:#1d232a;background:#fff}
        code{font:13px ui-monospace,monospace;background:#f1f3f5;padding:0 .25em;border-radius:3px}
        nav{margin:1rem 0;line-height:2}
        details{border:1px solid #dde1e5;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
        details[open]{background:#fafbfc}
        summary{cursor:pointer}
        .m{display:inline-block;min-width:4.2rem;text-align:center;font:600 12px ui-monospace,monospace;color:#fff;border-radius:3px;padding:.1rem .3rem}
        .m-get{background:#2f7d32}.m-post{background:#1565c0}.m-put{background:#b26a00}.m-patch{background:#6a1b9a}.m-delete{background:#c62828}
        table{border-collapse:collapse;width:100%;margin:.3rem 0 .8rem}
        th,td{border:1px solid #dde1e5;padding:.25rem .45rem;text-align:left;vertical-align:top}
        th{background:#f1f3f5}
        h4{margin:.6rem 0 .2rem}
        @media (prefers-color-scheme:dark){body{background:#15191d;color:#e4e7ea}code,th{background:#262b31}details[open]{background:#1b2025}details,th,td{border-color:#333a41}a{color:#8ab4f8}}
        </style></head>
        <body>
        \(body)</body></html>

        """
    }
}
