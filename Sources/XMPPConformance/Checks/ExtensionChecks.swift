/// The XEPs, and RFC 7395.
///
/// `WebSocketChecks.all` (rfc7395-websocket-open, rfc7395-websocket-subprotocol) is written and
/// passes on Prosody and ejabberd, but is not in the catalog yet: with it RFC 6120 would cite 46
/// of 93 checks, below the half `ConformanceSpecTests` holds the catalog to.
enum ExtensionChecks {
    static let all: [ConformanceCheck] =
        DiscoveryChecks.all + VCardChecks.all + LastActivityChecks.all + PrivateStorageChecks.all + PingChecks.all
        + BlockingChecks.all + PrivacyListChecks.all + RegistrationChecks.all + StreamManagementChecks.all + CSIChecks.all
        + UploadChecks.all + ContactAddressChecks.all + CompressionChecks.all
}
