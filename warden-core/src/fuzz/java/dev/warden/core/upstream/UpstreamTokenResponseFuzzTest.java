package dev.warden.core.upstream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * An upstream token endpoint's answer is outside input: the parser returns a bearer token or throws
 * {@link UpstreamTokenResponse.Invalid}, nothing else, whatever the status and bytes.
 */
class UpstreamTokenResponseFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parseReturnsATokenOrInvalid(FuzzedDataProvider data) {
    int status = data.pickValue(new int[] {200, 200, 200, 400, 401, 500, 302});
    String contentType = data.consumeBoolean() ? "application/json" : null;
    byte[] body = data.consumeRemainingAsBytes();
    try {
      UpstreamTokenResponse.Token t =
          UpstreamTokenResponse.parse(new UpstreamTokenClient.Response(status, body, contentType));
      if (t.accessToken().length() == 0 || t.expiresIn() != null && t.expiresIn().isNegative()) {
        throw new IllegalStateException("an unusable token was accepted");
      }
    } catch (UpstreamTokenResponse.Invalid expected) {
      // documented outcome
    }
  }
}
