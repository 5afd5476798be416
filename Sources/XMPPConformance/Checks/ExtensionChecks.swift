/// The XEPs, and RFC 7395.
enum ExtensionChecks {
    static let all: [ConformanceCheck] =
        DiscoveryChecks.all + VCardChecks.all + LastActivityChecks.all + PrivateStorageChecks.all + PingChecks.all
        + BlockingChecks.all + PrivacyListChecks.all + RegistrationChecks.all + StreamManagementChecks.all + CSIChecks.all
        + UploadChecks.all + ContactAddressChecks.all + CompressionChecks.all + WebSocketChecks.all
}
