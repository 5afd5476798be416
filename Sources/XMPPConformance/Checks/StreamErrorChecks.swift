import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6120 §4.9 and §11: stream errors for bad input, and how they are sent.
enum StreamErrorChecks {
    static let all = [
        hostUnknown, invalidNamespace, contentNamespace, notWellFormed, restrictedComment, restrictedProcessingInstruction,
        restrictedDTD, unsupportedStanzaType, errorFormat, headerFirst, thenClose,
    ]

    /// Sends `bytes` as the opening of a stream and returns how the stream ended.
    private static func ending(after bytes: String, _ context: CheckContext) async throws -> StreamProbe.Ending {
        let probe = try await context.connect()
        try await probe.send(bytes)
        return await probe.streamEnding()
    }

    /// Opens a stream, reads the features, sends `bytes`, and returns how the stream ended.
    private static func ending(afterOpening bytes: String, _ context: CheckContext) async throws -> StreamProbe.Ending {
        let probe = try await context.connect()
        _ = try await probe.open(to: context.domain)
        try await probe.send(bytes)
        var ending = await probe.streamEnding()
        ending.sawHeader = true  // read by open(to:)
        ending.headerFirst = ending.error != nil
        return ending
    }

    private static func expectCondition(_ expected: Set<String>, in ending: StreamProbe.Ending,
                                        _ context: CheckContext) throws {
        guard let error = ending.error else {
            guard ending.sawHeader else {
                // Not a stream at all: rfc6120-stream-error-header-first reports that.
                throw CheckSetupError("the server answered without a stream header: \(ending.events.joined(separator: ", "))")
            }
            throw CheckFailure("no stream error; the server sent: \(ending.events.joined(separator: ", "))")
        }
        let condition = Answer.streamCondition(error)
        try context.expect(condition.map(expected.contains) == true,
                           "the stream error is \(condition.map { "<\($0)/>" } ?? "without a defined condition"), expected \(expected.sorted().map { "<\($0)/>" }.joined(separator: " or "))")
    }

    static let hostUnknown = ConformanceCheck(
        "rfc6120-stream-error-host-unknown", "A stream to an unknown domain is refused with <host-unknown/>",
        cites: Citation("RFC 6120", "4.9.3.6", "The value of the 'to' attribute provided in the initial stream header does not correspond to an FQDN that is serviced by the receiving entity"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header to a domain the server does not serve",
        expects: "<host-unknown/>"
    ) { context in
        let ending = try await ending(after: StreamProbe.header(to: "unknown-\(StanzaID.make().lowercased().prefix(8)).invalid"), context)
        try expectCondition(["host-unknown"], in: ending, context)
    }

    static let invalidNamespace = ConformanceCheck(
        "rfc6120-stream-error-invalid-namespace", "A stream element outside the streams namespace is refused",
        cites: Citation("RFC 6120", "4.8.1", "The root <stream/> element … MUST be qualified by the namespace 'http://etherx.jabber.org/streams' … the entity that receives the offending stream header MUST close the stream with a stream error, which SHOULD be <invalid-namespace/>"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header whose stream element is in urn:xmppkit:wrong",
        expects: "<invalid-namespace/>"
    ) { context in
        let ending = try await ending(after: StreamProbe.header(to: context.domain, streamNamespace: "urn:xmppkit:wrong"), context)
        try expectCondition(["invalid-namespace", "bad-format"], in: ending, context)
    }

    static let contentNamespace = ConformanceCheck(
        "rfc6120-stream-error-content-namespace", "An unsupported content namespace is refused",
        cites: Citation("RFC 6120", "4.9.3.10", "the content namespace declared as the default namespace is not supported (e.g., something other than \"jabber:client\" or \"jabber:server\")"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header with the default namespace jabber:xmppkit-wrong",
        expects: "<invalid-namespace/> (or <bad-format/>)"
    ) { context in
        let ending = try await ending(after: StreamProbe.header(to: context.domain, contentNamespace: "jabber:xmppkit-wrong"), context)
        try expectCondition(["invalid-namespace", "bad-format"], in: ending, context)
    }

    static let notWellFormed = ConformanceCheck(
        "rfc6120-stream-error-not-well-formed", "Malformed XML ends the stream with <not-well-formed/>",
        cites: Citation("RFC 6120", "4.9.3.13", "The initiating entity has sent XML that violates the well-formedness rules of [XML] or [XML-NAMES]"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "after the stream header: <message><body></message>",
        expects: "<not-well-formed/> (or the generic <bad-format/>)"
    ) { context in
        let ending = try await ending(afterOpening: "<message><body></message>", context)
        try expectCondition(["not-well-formed", "bad-format"], in: ending, context)
    }

    static let restrictedComment = ConformanceCheck(
        "rfc6120-restricted-xml-comment", "An XML comment ends the stream",
        cites: Citation("RFC 6120", "11.1", "If an XMPP implementation receives characters matching such features [comments, processing instructions, DTD subsets, entity references] over an XML stream, it MUST close the stream with a stream error, which SHOULD be <restricted-xml/>"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "after the stream header: <!-- conformance -->",
        expects: "a stream error (<restricted-xml/>, <not-well-formed/> or <bad-format/>)"
    ) { context in
        let ending = try await ending(afterOpening: "<!-- conformance -->", context)
        try expectCondition(["restricted-xml", "not-well-formed", "bad-format"], in: ending, context)
    }

    static let restrictedProcessingInstruction = ConformanceCheck(
        "rfc6120-restricted-xml-pi", "A processing instruction ends the stream",
        cites: Citation("RFC 6120", "11.1", "If an XMPP implementation receives characters matching such features [comments, processing instructions, DTD subsets, entity references] over an XML stream, it MUST close the stream with a stream error, which SHOULD be <restricted-xml/>"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "after the stream header: <?conformance check?>",
        expects: "a stream error (<restricted-xml/>, <not-well-formed/> or <bad-format/>)"
    ) { context in
        let ending = try await ending(afterOpening: "<?conformance check?>", context)
        try expectCondition(["restricted-xml", "not-well-formed", "bad-format"], in: ending, context)
    }

    static let restrictedDTD = ConformanceCheck(
        "rfc6120-restricted-xml-dtd", "A document type declaration ends the stream",
        cites: Citation("RFC 6120", "11.1", "If an XMPP implementation receives characters matching such features [comments, processing instructions, DTD subsets, entity references] over an XML stream, it MUST close the stream with a stream error, which SHOULD be <restricted-xml/>"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "<!DOCTYPE stream:stream [<!ENTITY c 'conformance'>]> before the stream header",
        expects: "a stream error (<restricted-xml/>, <not-well-formed/> or <bad-format/>)"
    ) { context in
        let header = StreamProbe.header(to: context.domain, prolog: "<!DOCTYPE stream:stream [<!ENTITY c 'conformance'>]>")
        let ending = try await ending(after: header, context)
        try expectCondition(["restricted-xml", "not-well-formed", "bad-format"], in: ending, context)
    }

    static let unsupportedStanzaType = ConformanceCheck(
        "rfc6120-stream-error-unsupported-stanza-type", "An unknown top-level element ends the stream",
        cites: Citation("RFC 6120", "4.9.3.24", "The initiating entity has sent a first-level child of the stream that is not supported by the server"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "after login and binding: <conformance xmlns='jabber:client'/>",
        expects: "<unsupported-stanza-type/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        try await probe.send("<conformance xmlns='jabber:client'/>")
        var ending = await probe.streamEnding()
        ending.sawHeader = true  // the stream has been open since login
        try expectCondition(["unsupported-stanza-type"], in: ending, context)
    }

    static let errorFormat = ConformanceCheck(
        "rfc6120-stream-error-format", "A stream error carries one defined condition",
        cites: Citation("RFC 6120", "4.9.2", "The <error/> element … MUST contain a child element corresponding to one of the defined stream error conditions …; this element MUST be qualified by the 'urn:ietf:params:xml:ns:xmpp-streams' namespace"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header to a domain the server does not serve",
        expects: "<stream:error> with exactly one condition element in urn:ietf:params:xml:ns:xmpp-streams, besides an optional <text/> and at most one application-specific element"
    ) { context in
        let ending = try await ending(after: StreamProbe.header(to: "format-\(StanzaID.make().lowercased().prefix(8)).invalid"), context)
        guard let error = ending.error else {
            throw CheckSetupError("no stream error at all (rfc6120-stream-error-host-unknown reports that)")
        }
        let defined = error.elements.filter { $0.namespace == XMPPNamespace.streamErrors && $0.name != "text" }
        let applicationSpecific = error.elements.filter { $0.namespace != XMPPNamespace.streamErrors }
        try context.expect(defined.count == 1, "the stream error has \(defined.count) conditions in urn:ietf:params:xml:ns:xmpp-streams: \(error)")
        try context.expect(applicationSpecific.count <= 1, "the stream error has \(applicationSpecific.count) application-specific children: \(error)")
        try context.expect(StreamError.Condition(rawValue: defined[0].name) != nil, "<\(defined[0].name)/> is not a defined stream error condition")
    }

    static let headerFirst = ConformanceCheck(
        "rfc6120-stream-error-header-first", "A stream error is sent inside a stream",
        cites: Citation("RFC 6120", "4.9.1.2", "If the error is triggered by the initial stream header, the receiving entity MUST still send the opening <stream> tag, include the <error/> element as a child of the stream element, and send the closing </stream> tag"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header whose stream element is in urn:xmppkit:wrong",
        expects: "the server's own stream header before the <stream:error/>"
    ) { context in
        let ending = try await ending(after: StreamProbe.header(to: context.domain, streamNamespace: "urn:xmppkit:wrong"), context)
        try context.expect(ending.sawHeader, "the server answered without a stream header: \(ending.events.joined(separator: ", "))")
        guard ending.error != nil else {
            throw CheckSetupError("no stream error at all (rfc6120-stream-error-invalid-namespace reports that)")
        }
        try context.expect(ending.headerFirst, "the stream error came before the stream header: \(ending.events.joined(separator: ", "))")
    }

    static let thenClose = ConformanceCheck(
        "rfc6120-stream-error-then-close", "The stream is closed after a stream error",
        cites: Citation("RFC 6120", "4.9.1.1", "the entity that detects the error MUST send an <error/> element with an appropriate child element … and then immediately close the stream as described under Section 4.4"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header to a domain the server does not serve",
        expects: "</stream:stream> after the <stream:error/>"
    ) { context in
        let ending = try await ending(after: StreamProbe.header(to: "close-\(StanzaID.make().lowercased().prefix(8)).invalid"), context)
        guard ending.error != nil else {
            throw CheckSetupError("no stream error at all (rfc6120-stream-error-host-unknown reports that)")
        }
        try context.expect(ending.closedStream, "no </stream:stream> after the stream error: \(ending.events.joined(separator: ", "))")
    }
}
