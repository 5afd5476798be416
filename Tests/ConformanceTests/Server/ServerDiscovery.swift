import Foundation
import XMPPCrypto
import XMPPXML

/// What the server says about itself: disco#info and #items (XEP-0030), contact addresses
/// (XEP-0157), its caps in the stream features (XEP-0115 §6.3), the upload service (XEP-0363).
extension DirectoryState {
    static let discoInfo = "http://jabber.org/protocol/disco#info"
    static let discoItems = "http://jabber.org/protocol/disco#items"
    static let dataForms = "jabber:x:data"
    static let caps = "http://jabber.org/protocol/caps"
    static let capsNode = "https://xmppkit.test/conformance-server"
    static let maximumUploadSize = 10 << 20

    static let serverFeatures = [
        discoInfo, discoItems, last, privateStorage, ping, blocking, privacy, register, vCard, roster,
        "urn:xmpp:sm:3", "urn:xmpp:csi:0",
    ]

    /// The server's disco#info (`node` nil or the caps node#ver), nil for another node.
    func serverInfo(node: String?) -> XMLElement? {
        var info = Self.serverInfoContent(options: options)
        if let node {
            guard node == "\(Self.capsNode)#\(Self.advertisedVer(options: options))" else { return nil }
            info.setAttribute("node", to: node)
        }
        return info
    }

    static func serverInfoContent(options: ServerOptions) -> XMLElement {
        var query = XMLElement("query", namespace: discoInfo)
        if !options.breaks("xep0030-disco-info") {
            query.append(XMLElement("identity", namespace: discoInfo, attributes: ["category": "server", "type": "im", "name": "XMPPKit conformance test server"]))
        }
        for feature in serverFeatures { query.append(XMLElement("feature", namespace: discoInfo, attributes: ["var": feature])) }
        // XEP-0157 §5: the serverinfo form, FORM_TYPE hidden, values URIs.
        var form = XMLElement("x", namespace: dataForms, attributes: ["type": "result"])
        var formType = XMLElement("field", namespace: dataForms, attributes: ["var": "FORM_TYPE"])
        if !options.breaks("xep0157-contact-addresses") { formType.setAttribute("type", to: "hidden") }
        formType.append(XMLElement("value", namespace: dataForms, text: "http://jabber.org/network/serverinfo"))
        form.append(formType)
        var admin = XMLElement("field", namespace: dataForms, attributes: ["var": "admin-addresses"])
        admin.append(XMLElement("value", namespace: dataForms, text: "mailto:admin@\(options.domain)"))
        admin.append(XMLElement("value", namespace: dataForms, text: "xmpp:admin@\(options.domain)"))
        form.append(admin)
        var support = XMLElement("field", namespace: dataForms, attributes: ["var": "support-addresses"])
        support.append(XMLElement("value", namespace: dataForms, text: "https://\(options.domain)/support"))
        form.append(support)
        query.append(form)
        return query
    }

    func accountInfo(node: String?) -> XMLElement {
        var query = XMLElement("query", namespace: Self.discoInfo)
        query.setAttribute("node", to: node)
        query.append(XMLElement("identity", namespace: Self.discoInfo, attributes: ["category": "account", "type": "registered"]))
        query.append(XMLElement("feature", namespace: Self.discoInfo, attributes: ["var": Self.discoInfo]))
        return query
    }

    func serverItems() -> XMLElement {
        var query = XMLElement("query", namespace: Self.discoItems)
        query.append(XMLElement("item", namespace: Self.discoItems, attributes: ["jid": options.uploadDomain, "name": "HTTP File Upload"]))
        return query
    }

    func uploadInfo() -> XMLElement {
        var query = XMLElement("query", namespace: Self.discoInfo)
        query.append(XMLElement("identity", namespace: Self.discoInfo, attributes: ["category": "store", "type": "file", "name": "HTTP File Upload"]))
        query.append(XMLElement("feature", namespace: Self.discoInfo, attributes: ["var": Self.discoInfo]))
        query.append(XMLElement("feature", namespace: Self.discoInfo, attributes: ["var": Self.upload]))
        var form = XMLElement("x", namespace: Self.dataForms, attributes: ["type": "result"])
        var formType = XMLElement("field", namespace: Self.dataForms, attributes: ["var": "FORM_TYPE", "type": "hidden"])
        formType.append(XMLElement("value", namespace: Self.dataForms, text: Self.upload))
        form.append(formType)
        var size = XMLElement("field", namespace: Self.dataForms, attributes: ["var": "max-file-size"])
        size.append(XMLElement("value", namespace: Self.dataForms, text: String(Self.maximumUploadSize)))
        form.append(size)
        query.append(form)
        return query
    }

    /// `<c/>` for the stream features (XEP-0115 §6.3).
    static func capsElement(options: ServerOptions) -> String {
        "<c xmlns='\(caps)' hash='sha-1' node='\(capsNode)' ver='\(advertisedVer(options: options))'/>"
    }

    /// The ver the server advertises: its hash, or (misbehaving) one that is not.
    static func advertisedVer(options: ServerOptions) -> String {
        let ver = options.capsVer
        return options.breaks("xep0115-server-caps") ? "AAAA" + ver.dropFirst(4) : ver
    }

    /// The verification string of the server's disco#info (XEP-0115 §5.1), SHA-1, base64.
    static func capsVer(options: ServerOptions) -> String {
        let info = serverInfoContent(options: options)
        var text = ""
        let identities = info.children("identity", namespace: discoInfo).map { identity in
            [identity.attribute("category") ?? "", identity.attribute("type") ?? "",
             identity.attribute("lang", namespace: XMLNamespace.xml) ?? "", identity.attribute("name") ?? ""]
        }.sorted { $0.lexicographicallyPrecedes($1) }
        for identity in identities { text += identity.joined(separator: "/") + "<" }
        for feature in info.children("feature", namespace: discoInfo).compactMap({ $0.attribute("var") }).sorted() { text += feature + "<" }
        // §5.4: only forms with a hidden FORM_TYPE take part.
        var forms: [(type: String, fields: [(String, [String])])] = []
        for form in info.children("x", namespace: dataForms) {
            let fields = form.children("field", namespace: dataForms)
            guard let formType = fields.first(where: { $0.attribute("var") == "FORM_TYPE" }), formType.attribute("type") == "hidden",
                  let type = formType.childText("value", namespace: dataForms) else { continue }
            let rest = fields.filter { $0.attribute("var") != "FORM_TYPE" }
                .map { ($0.attribute("var") ?? "", $0.children("value", namespace: dataForms).map(\.text).sorted()) }
                .sorted { $0.0 < $1.0 }
            forms.append((type, rest))
        }
        for form in forms.sorted(by: { $0.type < $1.type }) {
            text += form.type + "<"
            for (name, values) in form.fields { text += name + "<" + values.map { $0 + "<" }.joined() }
        }
        let digest = (try? HashFunction.sha1.hash(Array(text.utf8))) ?? []
        return Data(digest).base64EncodedString()
    }
}
