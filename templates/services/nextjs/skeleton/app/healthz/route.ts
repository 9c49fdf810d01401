import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/** Liveness: the server answers. */
export function GET(): NextResponse {
  return NextResponse.json({ status: "ok" });
}
