import XMPPClient
import XMPPCore
import XMPPXML

/// Private XML storage (XEP-0049 1.2): stores an XML fragment on the server under its (element
/// name, namespace), readable only by the account's own resources (§4).
///
/// ```swift
/// let storage = await client.register(PrivateStorageModule())
/// try await storage.store(XMLElement("prefs", namespace: "urn:example:prefs", text: "dark"))
/// let prefs = try await storage.retrieve("prefs", namespace: "urn:example:prefs")
/// ```
public actor PrivateStorageModule: XMPPModule {
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = []
    private var context = ModuleContext.unattached

    public init() {}

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// Reads what is stored under `name` in `namespace` (XEP-0049 §2.3, Example 2).
    /// - Returns: the stored element, or nil when nothing is (servers answer with the empty
    ///   element, which is indistinguishable from an empty one stored on purpose).
    /// - Throws: `not-acceptable` locally for a reserved namespace (§2.3); ``StanzaError`` from the server.
    public func retrieve(_ name: String, namespace: String) async throws -> XMLElement? {
        try Self.checkNamespace(namespace)
        let request = PrivateStorageQuery([XMLElement(name, namespace: namespace)])
        let reply = try await context.send(IQ(.get, payload: request.element))
        guard let payload = reply.payload else { return nil }
        let query = try PrivateStorageQuery(element: payload)
        guard let stored = query.fragments.first(where: { $0.name == name && $0.namespace == namespace }),
              !stored.children.isEmpty || !stored.attributes.isEmpty else { return nil }
        return stored
    }

    /// Stores `element`, replacing what was stored under its name and namespace (§2.3, Example 1).
    ///
    /// Prosody 0.12 treats an element without children as a removal and forgets its attributes
    /// too; give what you store at least one child to be read back the same on both servers.
    /// - Throws: `not-acceptable` locally for a reserved namespace (§2.3); ``StanzaError`` from the server.
    public func store(_ element: XMLElement) async throws {
        try Self.checkNamespace(element.namespace)
        _ = try await context.send(IQ(.set, payload: PrivateStorageQuery([element]).element))
    }

    /// Empties what is stored under `name` in `namespace` (XEP-0049 has no delete: an empty
    /// element replaces the old one).
    public func clear(_ name: String, namespace: String) async throws {
        try await store(XMLElement(name, namespace: namespace))
    }

    private static func checkNamespace(_ namespace: String) throws(StanzaError) {
        guard !PrivateStorageQuery.isReserved(namespace) else {
            throw StanzaError(.notAcceptable, text: "'\(namespace)' is reserved and cannot be used for private storage (XEP-0049 §2.3)")
        }
    }
}

extension PrivateStorageModule: ServerFeatureDetecting {
    /// Whether the server offers private storage. XEP-0049 predates service discovery and defines
    /// no feature: Prosody 0.12 lists `jabber:iq:private` in the server's disco#info, ejabberd 23.01
    /// serves it (mod_private) but lists it nowhere, neither for the server nor for the account.
    /// So when neither disco#info lists it, a read of a fragment in an XMPPKit namespace decides:
    /// a result means support; an error reply means none.
    /// - Throws: ``XMPPClientError`` when not connected.
    public func isSupportedByServer() async throws -> Bool {
        let discovery = try await context.discovery()
        if try await discovery.serverSupports(PrivateStorageQuery.namespace) { return true }
        if (try? await discovery.accountSupports(PrivateStorageQuery.namespace)) == true { return true }
        do {
            _ = try await retrieve("probe", namespace: Self.probeNamespace)
            return true
        } catch is StanzaError {
            return false
        }
    }

    /// The namespace of the fragment read to detect support (never written).
    static let probeNamespace = "urn:xmppkit:private-storage-probe:0"
}
