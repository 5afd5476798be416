/// The XEPs, and RFC 7395.
enum ExtensionChecks {
    static let all: [ConformanceCheck] = []
}
