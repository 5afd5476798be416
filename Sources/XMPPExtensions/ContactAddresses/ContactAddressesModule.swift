import XMPPClient
import XMPPCore

/// Contact addresses for XMPP services (XEP-0157): reads the abuse, admin, feedback, sales,
/// security, status and support addresses our server publishes in its disco#info (§3).
public actor ContactAddressesModule: XMPPModule {
    /// Nothing to advertise or route: the addresses are the server's, read through disco.
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = []

    private var context = ModuleContext.unattached

    public init() {}

    public func attach(_ context: ModuleContext) async {
        self.context = context
        _ = try? await context.discovery()
    }

    /// Our server's contact addresses (XEP-0157 §3 Example 2), or nil when its disco#info has no
    /// `http://jabber.org/network/serverinfo` form.
    /// - Throws: ``StanzaError`` when disco#info fails or the form is malformed; ``XMPPClientError``
    ///   when not connected.
    public func serverAddresses(refresh: Bool = false) async throws -> ServerContactAddresses? {
        let discovery = try await context.discovery()
        let server = try JID(try await context.boundJID().domainpart)
        let info = try await discovery.info(for: server, refresh: refresh)
        return try info.form(ofType: ServerContactAddresses.formType).map { form throws(StanzaError) in
            try ServerContactAddresses(form: form)
        }
    }

    /// The addresses of another entity (a component or remote server), or nil when it publishes none.
    public func addresses(of jid: JID) async throws -> ServerContactAddresses? {
        let info = try await context.discovery().info(for: jid)
        return try info.form(ofType: ServerContactAddresses.formType).map { form throws(StanzaError) in
            try ServerContactAddresses(form: form)
        }
    }
}

extension ContactAddressesModule: ServerFeatureDetecting {
    /// XEP-0157 §3: supported when the server's disco#info carries the serverinfo form.
    public func isSupportedByServer() async throws -> Bool {
        try await serverAddresses() != nil
    }
}
