package harness;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test broker's stand-in for Amazon MSK's IAM check: an OAUTHBEARER validator that accepts a
 * token only if it is a SigV4 presigned {@code GET https://kafka.<region>.amazonaws.com/?Action=
 * kafka-cluster:Connect} request, base64url-encoded, signed with one of the access keys listed in
 * the JAAS options, for the configured region, and not expired. The session lifetime it reports is
 * the token's expiry, so the broker ends sessions when tokens expire (with connections.max.reauth.ms).
 *
 * JAAS options: region="eu-west-1" key_<ACCESS_KEY_ID>="<secret>" and, for temporary credentials,
 * sessionToken_<ACCESS_KEY_ID>="<session token the token must carry>".
 *
 * Written from the SigV4 specification; no AWS code involved. Reasons for rejection are logged
 * without secrets.
 */
public class MskIamValidator implements AuthenticateCallbackHandler {
    private static final Logger log = LoggerFactory.getLogger(MskIamValidator.class);
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final String SERVICE = "kafka-cluster";
    private static final String ACTION = "kafka-cluster:Connect";
    private static final long MAX_SKEW_MS = 5 * 60 * 1000;
    private static final long MAX_EXPIRES_S = 15 * 60;
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Map<String, String> secrets = new HashMap<>();
    private final Map<String, String> sessionTokens = new HashMap<>();
    private String region;

    @Override
    public void configure(Map<String, ?> configs, String mechanism, List<AppConfigurationEntry> jaas) {
        for (AppConfigurationEntry entry : jaas) {
            for (Map.Entry<String, ?> option : entry.getOptions().entrySet()) {
                String name = option.getKey();
                String value = String.valueOf(option.getValue());
                if (name.equals("region")) region = value;
                else if (name.startsWith("key_")) secrets.put(name.substring(4), value);
                else if (name.startsWith("sessionToken_")) sessionTokens.put(name.substring(13), value);
            }
        }
        if (region == null || secrets.isEmpty())
            throw new IllegalArgumentException("MskIamValidator needs JAAS options region and key_<id>");
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerValidatorCallback) {
                OAuthBearerValidatorCallback v = (OAuthBearerValidatorCallback) callback;
                try {
                    v.token(validate(v.tokenValue(), System.currentTimeMillis()));
                } catch (Rejected e) {
                    log.warn("MSK IAM token rejected: {}", e.getMessage());
                    v.error("invalid_token", null, null);
                }
            } else if (callback instanceof OAuthBearerExtensionsValidatorCallback) {
                // MSK clients send no extensions; anything sent is simply ignored.
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    @Override
    public void close() {}

    private static final class Rejected extends Exception {
        Rejected(String reason) {
            super(reason);
        }
    }

    private OAuthBearerToken validate(String tokenValue, long nowMs) throws Rejected {
        String url;
        try {
            url = new String(Base64.getUrlDecoder().decode(tokenValue), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Rejected("not base64url");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            throw new Rejected("not a URL");
        }
        String host = "kafka." + region + ".amazonaws.com";
        if (!"https".equals(uri.getScheme()) || !host.equals(uri.getHost()))
            throw new Rejected("wrong endpoint " + uri.getScheme() + "://" + uri.getHost());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (!path.equals("/")) throw new Rejected("wrong path");

        // Decoded query parameters; the canonical query is re-encoded from them.
        Map<String, String> q = new TreeMap<>();
        for (String pair : uri.getRawQuery() == null ? new String[0] : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String val = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (q.put(k, val) != null) throw new Rejected("repeated parameter " + k);
        }
        if (!ACTION.equals(q.get("Action"))) throw new Rejected("Action is not " + ACTION);
        if (!ALGORITHM.equals(q.get("X-Amz-Algorithm"))) throw new Rejected("algorithm is not " + ALGORITHM);
        if (!"host".equals(q.get("X-Amz-SignedHeaders"))) throw new Rejected("signed headers are not 'host'");
        String signature = required(q, "X-Amz-Signature");
        String amzDate = required(q, "X-Amz-Date");
        String[] credential = required(q, "X-Amz-Credential").split("/");
        if (credential.length != 5) throw new Rejected("malformed credential scope");
        String keyId = credential[0];
        String scope = String.join("/", credential[1], credential[2], credential[3], credential[4]);
        if (!credential[2].equals(region) || !credential[3].equals(SERVICE) || !credential[4].equals("aws4_request"))
            throw new Rejected("credential scope " + scope + " is not for " + region + "/" + SERVICE);
        if (!amzDate.startsWith(credential[1])) throw new Rejected("scope date does not match X-Amz-Date");

        long signedAtMs;
        try {
            signedAtMs = Instant.from(AMZ_DATE.parse(amzDate)).toEpochMilli();
        } catch (Exception e) {
            throw new Rejected("malformed X-Amz-Date");
        }
        long expiresS;
        try {
            expiresS = Long.parseLong(required(q, "X-Amz-Expires"));
        } catch (NumberFormatException e) {
            throw new Rejected("X-Amz-Expires is not a whole number of seconds");
        }
        if (expiresS <= 0 || expiresS > MAX_EXPIRES_S) throw new Rejected("X-Amz-Expires out of range");
        long expiresAtMs = signedAtMs + expiresS * 1000;
        if (signedAtMs > nowMs + MAX_SKEW_MS) throw new Rejected("signed in the future");
        if (expiresAtMs <= nowMs) throw new Rejected("expired " + (nowMs - expiresAtMs) + " ms ago");

        String secret = secrets.get(keyId);
        if (secret == null) throw new Rejected("unknown access key id " + keyId);
        String expectedSessionToken = sessionTokens.get(keyId);
        if (expectedSessionToken != null && !expectedSessionToken.equals(q.get("X-Amz-Security-Token")))
            throw new Rejected("missing or wrong session token for " + keyId);

        // Canonical request: every parameter except the signature itself and the User-Agent the
        // signer appends after signing, each name and value URI-encoded, sorted by name.
        List<String> canonicalQuery = new ArrayList<>();
        for (Map.Entry<String, String> e : q.entrySet()) {
            if (e.getKey().equals("X-Amz-Signature") || e.getKey().equals("User-Agent")) continue;
            canonicalQuery.add(uriEncode(e.getKey()) + "=" + uriEncode(e.getValue()));
        }
        Collections.sort(canonicalQuery);
        String canonicalRequest = String.join("\n",
                "GET", "/", String.join("&", canonicalQuery), "host:" + host, "", "host", EMPTY_SHA256);
        String stringToSign = String.join("\n", ALGORITHM, amzDate, scope, hex(sha256(canonicalRequest)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), credential[1]);
        key = hmac(key, credential[2]);
        key = hmac(key, credential[3]);
        key = hmac(key, credential[4]);
        String expected = hex(hmac(key, stringToSign));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII)))
            throw new Rejected("signature does not match for access key id " + keyId);

        log.info("MSK IAM token accepted for {} (expires in {} s)", keyId, (expiresAtMs - nowMs) / 1000);
        return new Token(tokenValue, keyId, signedAtMs, expiresAtMs);
    }

    private static String required(Map<String, String> q, String name) throws Rejected {
        String value = q.get(name);
        if (value == null || value.isEmpty()) throw new Rejected("missing " + name);
        return value;
    }

    private static String decode(String s) throws Rejected {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Rejected("malformed query encoding");
        }
    }

    /** SigV4 encoding: unreserved characters as they are, every other byte as %XX (upper case). */
    private static String uriEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') out.append(c);
            else out.append(String.format("%%%02X", b & 0xff));
        }
        return out.toString();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) out.append(String.format("%02x", b & 0xff));
        return out.toString();
    }

    private static final class Token implements OAuthBearerToken {
        private final String value;
        private final String principal;
        private final long startMs;
        private final long lifetimeMs;

        Token(String value, String principal, long startMs, long lifetimeMs) {
            this.value = value;
            this.principal = principal;
            this.startMs = startMs;
            this.lifetimeMs = lifetimeMs;
        }

        @Override
        public String value() {
            return value;
        }

        @Override
        public Set<String> scope() {
            return Collections.emptySet();
        }

        /** When the token expires, in ms since the epoch (what Kafka calls the lifetime). */
        @Override
        public long lifetimeMs() {
            return lifetimeMs;
        }

        @Override
        public String principalName() {
            return principal;
        }

        @Override
        public Long startTimeMs() {
            return startMs;
        }
    }
}
