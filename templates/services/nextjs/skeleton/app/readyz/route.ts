import { NextResponse } from "next/server";

import { getDatabase } from "@/lib/db";

export const dynamic = "force-dynamic";

/** Readiness: every configured dependency answers. */
export async function GET(): Promise<NextResponse> {
  const database = getDatabase();
  try {
    await database?.ping();
  } catch (error) {
    return NextResponse.json({ database: String(error) }, { status: 503 });
  }
  return NextResponse.json({ status: "ready" });
}
