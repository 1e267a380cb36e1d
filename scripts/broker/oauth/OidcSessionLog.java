package harness;

import java.lang.reflect.Field;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.security.auth.AuthenticationContext;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SaslAuthenticationContext;
import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The principal builder of the test broker's OIDC listener: Kafka's default principal, plus one log
 * line per OAUTHBEARER (re)authentication naming the principal, the token's expiry and the SASL
 * extensions the client sent, so tests can see what reached the broker. It validates nothing: Kafka's
 * own OAuthBearerValidatorCallbackHandler has accepted the token before the principal is built.
 *
 * Kafka builds the principal again for every request of a connection, from the SASL server of its
 * latest (re)authentication; a new SASL server is made for each (re)authentication, so one line is
 * logged per SASL server.
 *
 * Kafka keeps the extensions of a session in a private field of its SASL server and hands them out only
 * by name; reading the field shows all of them, including names nobody asked for.
 */
public class OidcSessionLog extends DefaultKafkaPrincipalBuilder {
    private static final Logger log = LoggerFactory.getLogger(OidcSessionLog.class);
    private static final String TOKEN_PROPERTY = "OAUTHBEARER.token";
    private static final Map<SaslServer, Boolean> LOGGED = Collections.synchronizedMap(new WeakHashMap<>());

    public OidcSessionLog() {
        super(null, null);
    }

    @Override
    public KafkaPrincipal build(AuthenticationContext context) {
        KafkaPrincipal principal = super.build(context);
        if (context instanceof SaslAuthenticationContext) {
            SaslAuthenticationContext sasl = (SaslAuthenticationContext) context;
            SaslServer server = sasl.server();
            if ("OAUTHBEARER".equals(server.getMechanismName()) && LOGGED.put(server, Boolean.TRUE) == null) {
                Object token = server.getNegotiatedProperty(TOKEN_PROPERTY);
                long expiresAt = token instanceof OAuthBearerToken ? ((OAuthBearerToken) token).lifetimeMs() : -1;
                log.info(
                        "OIDC session authenticated: listener={} principal={} tokenExpiresAtMs={} extensions={}",
                        sasl.listenerName(),
                        principal.getName(),
                        expiresAt,
                        extensions(server));
            }
        }
        return principal;
    }

    private static String extensions(SaslServer server) {
        try {
            Field field = server.getClass().getDeclaredField("extensions");
            field.setAccessible(true);
            Object value = field.get(server);
            if (!(value instanceof SaslExtensions)) return "{}";
            Map<String, String> sorted = new TreeMap<>(((SaslExtensions) value).map());
            return sorted.toString();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
