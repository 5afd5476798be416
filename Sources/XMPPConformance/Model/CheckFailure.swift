/// Thrown by a check's body: the rule it tests was broken.
public struct CheckFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Thrown by a check's body: the server does not offer what the check tests, or the run
/// lacks what it needs.
public struct CheckNotApplicable: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Thrown by the steps a check builds on (connect, TLS, SASL, binding, helper requests): the
/// check could not get to the rule it tests, which is an `error`, never a `fail`.
public struct CheckSetupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
