import XMPPCore

/// Password preparation for SCRAM and PLAIN.
///
/// RFC 5802 §2.2 and RFC 4616 §2 name SASLprep (RFC 4013); its successor for passwords is the
/// PRECIS OpaqueString profile (RFC 8265 §4.2, which RFC 8265 §1 says replaces SASLprep), which
/// XMPPCore implements for JID resourceparts. The two agree on ASCII passwords and on most
/// others; they differ where SASLprep's NFKC changes a compatibility character (fullwidth
/// letters, ligatures, superscripts) that OpaqueString's NFC keeps, so such a password may not
/// match a server that prepared it with SASLprep.
enum SASLPasswordPreparation {
    /// The UTF-8 bytes of `password` enforced with OpaqueString. Throws
    /// ``SASLError/passwordPreparationFailed``, which does not say which character failed.
    static func prepare(_ password: String) throws(SASLError) -> [UInt8] {
        do {
            return Array(try PRECISProfile.opaqueString.enforce(password).utf8)
        } catch {
            throw .passwordPreparationFailed
        }
    }
}
