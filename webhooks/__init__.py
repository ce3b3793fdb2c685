"""The Twilio edge: signature check, form parsing, one service call, TwiML; and its simulator."""
