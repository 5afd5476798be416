import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6120 §4: the stream header, features and closing.
enum StreamChecks {
    static let all = [headerReply, headerFrom, headerID, features, newIDAfterRestart, closeReply, version]

    static let headerReply = ConformanceCheck(
        "rfc6120-stream-header-reply", "The server answers a stream header with its own",
        cites: Citation("RFC 6120", "4.8.2", "the content namespace MUST be other than the stream namespace, and … the content namespace MUST be the same for the initial stream and the response stream"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "an initial stream header to the domain, version 1.0",
        expects: "a response stream header in the streams namespace with jabber:client as its content namespace"
    ) { context in
        let probe = try await context.connect()
        try await probe.send(StreamProbe.header(to: context.domain))
        let event = await probe.next()
        guard case .header(let header)? = event else {
            throw CheckFailure("no response stream header: got \(StreamProbe.describe(event))")
        }
        try context.expect(header.namespace == XMPPNamespace.streams, "the stream element is in '\(header.namespace)'")
        try context.expect(header.contentNamespace == XMPPNamespace.client,
                           "the content namespace is '\(header.contentNamespace ?? "none")', not jabber:client")
    }

    static let headerFrom = ConformanceCheck(
        "rfc6120-stream-header-from", "The response header is from the server's domain",
        cites: Citation("RFC 6120", "4.7.1", "For response stream headers … the receiving entity MUST include the 'from' attribute and MUST set its value to one of the receiving entity's FQDNs"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "an initial stream header to the domain",
        expects: "from='<domain>' on the response header"
    ) { context in
        let probe = try await context.connect()
        let header = try await probe.openStream(to: context.domain)
        let from = header.attribute("from")
        try context.expect(from?.lowercased() == context.domain.lowercased(), "the response header's from is \(from.map { "'\($0)'" } ?? "missing")")
    }

    static let headerID = ConformanceCheck(
        "rfc6120-stream-header-id", "Every stream gets its own stream ID",
        cites: Citation("RFC 6120", "4.7.3", "For response stream headers, the receiving entity MUST include the 'id' attribute … The stream ID … MUST be unique within the receiving application"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "two initial stream headers on two connections",
        expects: "an id on each response header, different from each other"
    ) { context in
        let first = try await context.connect().openStream(to: context.domain).attribute("id")
        let second = try await context.connect().openStream(to: context.domain).attribute("id")
        let one = try context.expect(first.flatMap { $0.isEmpty ? nil : $0 }, "the response header has no id")
        let two = try context.expect(second.flatMap { $0.isEmpty ? nil : $0 }, "the second response header has no id")
        try context.expect(one != two, "both streams got the id '\(one)'")
    }

    static let features = ConformanceCheck(
        "rfc6120-stream-features", "Stream features follow the response header",
        cites: Citation("RFC 6120", "4.3.2", "If the initiating entity includes … the 'version' attribute set to a value of at least \"1.0\", after sending the response stream header the receiving entity MUST send a <features/> child element"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "an initial stream header, version 1.0",
        expects: "<stream:features/> as the first element"
    ) { context in
        let probe = try await context.connect()
        _ = try await probe.openStream(to: context.domain)
        let event = await probe.next()
        guard case .element(let element)? = event, element.name == "features", element.namespace == XMPPNamespace.streams else {
            throw CheckFailure("expected <stream:features/>, got \(StreamProbe.describe(event))")
        }
    }

    static let newIDAfterRestart = ConformanceCheck(
        "rfc6120-stream-id-after-tls", "The stream restarted after TLS gets a new ID",
        cites: Citation("RFC 6120", "4.3.3", "When the receiving entity receives the new initial stream header, it MUST generate a new stream ID (instead of re-using the old stream ID)"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header, STARTTLS, and after the handshake a new stream header",
        expects: "a different id on the second response header"
    ) { context in
        let probe = try await context.connect()
        let before = try await probe.open(to: context.domain)
        let after = try await probe.startTLS(domain: context.domain, tls: context.configuration.tls)
        let old = before.header.attribute("id") ?? ""
        let new = try context.expect(after.header.attribute("id"), "the response header after TLS has no id")
        try context.expect(new != old, "the stream after TLS kept the id '\(new)'")
    }

    static let closeReply = ConformanceCheck(
        "rfc6120-stream-close-reply", "The server closes its stream when the client closes",
        cites: Citation("RFC 6120", "4.4", "the entity that sends the closing stream tag MUST … wait for the other party to also close its outbound stream before terminating the underlying TCP connection"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "a stream header, then </stream:stream>",
        expects: "</stream:stream> before the connection closes"
    ) { context in
        let probe = try await context.connect()
        _ = try await probe.open(to: context.domain)
        try await probe.send("</stream:stream>")
        let ending = await probe.streamEnding()
        try context.expect(ending.closedStream, "the server did not send </stream:stream>: \(ending.events.joined(separator: ", "))")
    }

    static let version = ConformanceCheck(
        "rfc6120-stream-version", "A higher stream version is not echoed back",
        cites: Citation("RFC 6120", "4.7.5", "The receiving entity MUST set the value of the 'version' attribute in the response stream header to either the value supplied by the initiating entity or the highest version number supported by the receiving entity, whichever is lower"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "an initial stream header with version='2.0'",
        expects: "a response header with version 1.0 (or an <unsupported-version/> stream error), never 2.0"
    ) { context in
        let probe = try await context.connect()
        try await probe.send(StreamProbe.header(to: context.domain, version: "2.0"))
        let event = await probe.next()
        guard case .header(let header)? = event else {
            throw CheckSetupError("no response stream header: \(StreamProbe.describe(event))")
        }
        let version = header.attribute("version")
        if version == "2.0" {
            throw CheckFailure("the server answered version='2.0', which it does not implement")
        }
        guard version == "1.0" else {
            let ending = await probe.streamEnding()
            let condition = Answer.streamCondition(ending.error)
            try context.expect(condition == "unsupported-version",
                               "version \(version.map { "'\($0)'" } ?? "missing") and no <unsupported-version/> (got \(condition ?? "no stream error"))")
            return
        }
    }
}
