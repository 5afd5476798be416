/// Every check `xmppkit conform` runs, in the order reports list them: RFC 6120, RFC 6121, then
/// the XEPs. `Specs/conformance/*.json` publishes the same list (see `ConformanceSpecTests`).
public enum ConformanceCatalog {
    public static let all: [ConformanceCheck] =
        StreamChecks.all + StreamErrorChecks.all + TLSChecks.all + SASLChecks.all + BindingChecks.all + StanzaChecks.all
        + IMChecks.all + ExtensionChecks.all

    /// The checks with these ids, in catalog order; unknown ids are returned separately.
    public static func select(_ ids: [String]) -> (checks: [ConformanceCheck], unknown: [String]) {
        let known = Set(all.map(\.id))
        let wanted = Set(ids)
        return (all.filter { wanted.contains($0.id) }, ids.filter { !known.contains($0) })
    }
}
