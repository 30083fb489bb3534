import AgentIMWire
import Foundation

extension Delivery {
    /// A bus entry's delivery. Every edge reads every entry of the events stream (a relayed
    /// chunk is one), and JSONDecoder's path into `Audience`'s synthesized form was a fifth of
    /// an edge's time per chunk; `JSONParser` reads the same text at a fraction of that. A
    /// payload not in the shape `Delivery`'s Codable writes is left to JSONDecoder, so both
    /// readers always agree.
    public static func decode(_ payload: Data) -> Delivery? {
        if let value = JSONValue.parse(payload), let delivery = Delivery(encoded: value) { return delivery }
        return try? JSONDecoder().decode(Delivery.self, from: payload)
    }

    /// `{"audience":{"<case>":{…}},"frame":"…","seq":n}` as JSONEncoder writes it; nil for
    /// anything else.
    init?(encoded value: JSONValue) {
        guard case .object(let fields) = value, case .string(let frame)? = fields["frame"],
              case .object(let audience)? = fields["audience"], let audienceCase = Audience(encoded: audience) else { return nil }
        switch fields["seq"] {
        case nil, .null?: self.init(audience: audienceCase, frame: frame)
        case .number(let number)? where number.rounded() == number && abs(number) <= 9_007_199_254_740_992:
            self.init(audience: audienceCase, frame: frame, seq: Int64(number))
        default: return nil
        }
    }
}

extension Audience {
    /// The one-key object Swift's synthesized Codable makes of an enum case: `{"room":{"_0":…,"except":…}}`.
    init?(encoded object: [String: JSONValue]) {
        guard object.count == 1, let (name, body) = object.first, case .object(let arguments) = body else { return nil }
        func text(_ key: String) -> String? {
            if case .string(let value)? = arguments[key] { return value }
            return nil
        }
        switch name {
        case "room":
            guard let room = text("_0") else { return nil }
            switch arguments["except"] {
            case nil, .null?: self = .room(room)
            case .some(let address):
                guard let except = SocketAddress(encoded: address) else { return nil }
                self = .room(room, except: except)
            }
        case "socket":
            guard let address = arguments["_0"].flatMap(SocketAddress.init(encoded:)) else { return nil }
            self = .socket(address)
        case "all": self = .all
        case "user": guard let id = text("_0") else { return nil }; self = .user(id)
        case "agent": guard let id = text("_0") else { return nil }; self = .agent(id)
        case "gateway": guard let id = text("_0") else { return nil }; self = .gateway(id)
        case "workspaceRequest": guard let id = text("_0") else { return nil }; self = .workspaceRequest(id)
        default: return nil
        }
    }
}

extension SocketAddress {
    init?(encoded value: JSONValue) {
        guard case .object(let fields) = value, case .string(let node)? = fields["node"],
              case .string(let socket)? = fields["socket"] else { return nil }
        self.init(node: node, socket: socket)
    }
}
