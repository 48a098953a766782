/**
 * The credentials the Bedrock fake accepts, in a file of their own so that tests inside workerd
 * can read them without loading the fake (a Node server).
 */

/** The region the fake's endpoint is in: signatures must be scoped to it. */
export const fakeBedrockRegion = "us-west-2";

/** Long-term AWS credentials (an IAM user's access key). */
export const fakeBedrockUser = {
  accessKeyId: "AKIAFAKEBEDROCK00001",
  secretAccessKey: "fAkE/SeCrEt+AcCeSs/KeY0000000000000000000",
} as const;

/** Temporary credentials (STS), which must come with their session token. */
export const fakeBedrockSession = {
  accessKeyId: "ASIAFAKEBEDROCK00002",
  secretAccessKey: "tEmP/SeCrEt+AcCeSs/KeY0000000000000000000",
  sessionToken: "FwoGZXIvYXdzEFAKE//session/token+for/the/fake==",
} as const;

/** A Bedrock API key (a bearer token). */
export const fakeBedrockApiKey = "ABSKQmVkcm9ja0FQSUtleS1mYWtlLWtleS0wMDAwMQ==";

/** `BEDROCK_API_KEY` for the long-term credentials. */
export const fakeBedrockKey = `${fakeBedrockUser.accessKeyId}:${fakeBedrockUser.secretAccessKey}`;
