import ArgumentParser
import RoomsService

/// `agentim-server vapid-keys`: a new VAPID pair for Web Push, printed as the two settings
/// to save (admin panel → Push notifications, or `PUT /api/admin/settings`). Nothing is stored:
/// the private key goes into the settings' secret envelope only when an admin saves it.
struct VapidKeys: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vapid-keys", abstract: "Print a new VAPID key pair for Web Push.")

    @Flag(help: "Print the pair as the JSON body of PUT /api/admin/settings.")
    var json = false

    func run() {
        let keys = VAPIDKeys.generate()
        if json {
            print(#"{"changes":{"push.vapidPublicKey":"\#(keys.publicKey)","push.vapidPrivateKey":"\#(keys.privateKey)"}}"#)
        } else {
            print("push.vapidPublicKey=\(keys.publicKey)")
            print("push.vapidPrivateKey=\(keys.privateKey)")
        }
    }
}
