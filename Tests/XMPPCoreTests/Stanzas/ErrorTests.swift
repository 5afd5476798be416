import Testing
import XMPPCore
import XMPPXML

@Suite struct ErrorTests {
    @Test(arguments: StanzaError.Condition.allCases)
    func everyStanzaConditionRoundTrips(condition: StanzaError.Condition) throws {
        let error = StanzaError(condition, text: "why", textLanguage: "en", by: "example.com",
                                alternativeAddress: condition == .gone || condition == .redirect ? "xmpp:other@example.com" : nil,
                                applicationCondition: XMLElement("too-many", namespace: "urn:example:app"))
        let reread = StanzaError(element: try XMLStreamParser.parseElement(error.element().serialized()))
        #expect(reread == error)
    }

    @Test func readsTheStanzaErrorExampleOfRFC6120Section8_3_2() throws {
        let element = try XMLStreamParser.parseElement(Array("""
            <error xmlns='jabber:client' type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
            <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>Some special application diagnostic information!</text>\
            <too-many-parameters xmlns='http://example.org/ns'/></error>
            """.utf8))
        let error = StanzaError(element: element)
        #expect(error.condition == .badRequest)
        #expect(error.type == .modify)
        #expect(error.textLanguage == "en")
        #expect(error.applicationCondition?.name == "too-many-parameters")
    }

    @Test func unknownConditionsAndTypesFallBack() throws {
        let element = try XMLStreamParser.parseElement(Array("<error xmlns='jabber:client' type='bogus'><made-up xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>".utf8))
        let error = StanzaError(element: element)
        #expect(error.condition == .undefinedCondition)
        #expect(error.type == .cancel)
    }

    @Test(arguments: StreamError.Condition.allCases)
    func everyStreamConditionRoundTrips(condition: StreamError.Condition) throws {
        let error = StreamError(condition, text: "details", otherHost: condition == .seeOtherHost ? "[2001:db8::1]:5222" : nil)
        #expect(StreamError(element: try XMLStreamParser.parseElement(error.element.serialized())) == error)
    }

    @Test func readsSeeOtherHostFromRFC6120Section4_9_3_19() throws {
        let bytes = Array("<stream:error xmlns:stream='http://etherx.jabber.org/streams'><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:41D0:1:A49b::1]:9222</see-other-host></stream:error>".utf8)
        let error = StreamError(element: try XMLStreamParser.parseElement(bytes))
        #expect(error.condition == .seeOtherHost)
        #expect(error.otherHost == "[2001:41D0:1:A49b::1]:9222")
    }

    @Test func parserErrorsMapToTheirStreamConditions() {
        for condition in XMLStreamError.Condition.allCases {
            #expect(StreamError(XMLStreamError(condition, "x")).condition.rawValue == condition.rawValue)
        }
    }
}
