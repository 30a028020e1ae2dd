package dev.warden.server.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The token endpoint's form parser takes any bytes from the network: it returns the parameters or
 * throws {@link BadRequestException} (bad percent-encoding, repeated parameter), nothing else.
 */
class FormBodyFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parseReturnsParametersOrABadRequest(byte[] body) {
    try {
      FormBody f = FormBody.parse(body);
      f.get("grant_type");
    } catch (BadRequestException expected) {
      // documented outcome
    }
  }
}
